import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { buildNative, nativeCompiler } from '../harness/build/native.js';
import { oneSource } from '../harness/build/c-project.js';
import { errorLine, faultText } from '../harness/errors.js';

const compiler = await nativeCompiler();

describe('a failing build step (execa): the error names the command and its stderr', () => {
  it.skipIf(!compiler)('cc on a source with a syntax error: the command line, its exit code and the compiler\'s message, on one line where a user sees it (skipped without a C compiler)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-exec-err-'));
    try {
      const source = path.join(dir, 'broken.c');
      await writeFile(source, 'int main(void) { return 0 }\n');
      const ctx = { root: dir, buildDir: dir, previous: null, built: new Map(), log: () => undefined };
      const err = await buildNative(ctx, 'broken', oneSource(source), path.join(dir, 'broken')).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      const msg = err!.message;
      // The context, then execa's: the command with its arguments and how it ended, then the compiler's stderr.
      expect(msg).toMatch(new RegExp(`^${compiler!.cc} failed to build broken\\.c: Command failed with exit code 1: ${compiler!.cc} .*-o ${path.join(dir, 'broken').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} broken\\.c`));
      expect(msg).toMatch(/broken\.c:1:\d+: error: expected .;./);
      const line = errorLine(err);
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toContain(`Command failed with exit code 1: ${compiler!.cc}`);
      expect(line).toMatch(/ — .*broken\.c:1:\d+: error: expected .;./);
      expect(faultText(err)).toBe(process.env.WVC_DEBUG === '1' ? err!.stack : line);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('errorLine', () => {
  it('a command that fails: execa\'s first line, then its stderr lines joined', async () => {
    const e = await execa('sh', ['-c', 'echo first >&2; echo second >&2; exit 3']).catch((x: unknown) => x);
    expect(errorLine(e)).toBe("Command failed with exit code 3: sh -c 'echo first >&2; echo second >&2; exit 3' — first | second");
  });

  it('a command that is not there: the spawn error, named', async () => {
    const e = await execa('/nonexistent/wvc-no-such-tool', ['--version']).catch((x: unknown) => x);
    expect(errorLine(e)).toMatch(/^Command failed with ENOENT: \/nonexistent\/wvc-no-such-tool --version/);
  });

  it('a long stderr is cut to a few hundred characters; an error that is not a command\'s is its first line', async () => {
    const e = await execa('sh', ['-c', 'head -c 2000 /dev/zero | tr "\\0" x >&2; exit 1']).catch((x: unknown) => x);
    expect(errorLine(e).length).toBeLessThan(400);
    expect(errorLine(e).endsWith('…')).toBe(true);
    expect(errorLine(new Error('one\ntwo'))).toBe('one');
  });
});
