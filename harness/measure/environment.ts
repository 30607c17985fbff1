import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import type { Environment } from '../model.js';
import type { Registry } from '../targets/types.js';
import { ROOT, harnessVersion } from '../paths.js';

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? `${os.type()} ${os.release()}`;
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

async function gitCommit(): Promise<string | null> {
  try {
    const { stdout } = await execa('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
    const { stdout: dirty } = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT });
    return stdout.trim() + (dirty.trim() ? '-dirty' : '');
  } catch {
    return null;
  }
}

/** Each target's runtime version (its own `version()`), null when it is not installed or declares none. */
async function runtimeVersions(registry: Registry): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    Object.values(registry).map(async (d) => {
      try {
        return [d.id, (await d.version?.()) ?? null] as const;
      } catch {
        return [d.id, null] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** The machine and every runtime version, recorded once per run (as mitata does). */
export async function collectEnvironment(registry: Registry): Promise<Environment> {
  const [name, commit, runtimes] = await Promise.all([osName(), gitCommit(), runtimeVersions(registry)]);
  return {
    os: name,
    kernel: `${os.type()} ${os.release()} ${os.machine()}`,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    runtimes,
    harnessVersion: harnessVersion(),
    gitCommit: commit,
  };
}
