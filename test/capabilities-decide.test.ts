import { describe, expect, it } from 'vitest';
import { type HarnessObservation, MEM_LIMIT_BYTES, decideCell, parseProbeOutput, trapText } from '../harness/measure/capabilities.js';

/** A clean observation: exited 0 quickly, nothing seen. */
function obs(extra: Partial<HarnessObservation> = {}): HarnessObservation {
  return { exitCode: 0, signal: null, timedOut: false, durationMs: 12, boundMs: 8000, stderr: '', limitBytes: MEM_LIMIT_BYTES, ...extra };
}

const enoent = { probe: 'x', result: 'error' as const, errno: 44, error: 'No such file or directory', detail: 'fopen failed' };

describe('parseProbeOutput / trapText', () => {
  it('reads the last JSON line with a result, and nothing else', () => {
    expect(parseProbeOutput('noise\n{"probe":"clock","result":"ok","detail":"d"}\n')).toEqual({ probe: 'clock', result: 'ok', detail: 'd' });
    expect(parseProbeOutput('')).toBeNull();
    expect(parseProbeOutput('{"postal_code":"10001"}\n')).toBeNull();
  });
  it('extracts the cause of a wasmtime trap line', () => {
    const stderr = '{"trap":"error while executing at wasm backtrace:\\n    0: 0x28c3 - <unknown>!f\\n\\nCaused by:\\n    wasm trap: all fuel consumed by WebAssembly\\n"}\n';
    expect(trapText(stderr)).toBe('wasm trap: all fuel consumed by WebAssembly');
    expect(trapText('')).toBeUndefined();
  });
});

describe('decideCell', () => {
  it('fs-read-outside: denied only with an error AND no sentinel; the sentinel means allowed whatever the workload says', () => {
    expect(decideCell('fs-read-outside', enoent, obs({ sentinelSeen: false })).outcome).toBe('denied');
    expect(decideCell('fs-read-outside', { result: 'ok', data: 'x' }, obs({ sentinelSeen: true })).outcome).toBe('allowed');
    // The workload claims an error, but the sentinel leaked into the output: the harness's evidence wins.
    expect(decideCell('fs-read-outside', enoent, obs({ sentinelSeen: true })).outcome).toBe('allowed');
    // No output at all, nothing seen: not a denial, an unexpected failure.
    expect(decideCell('fs-read-outside', null, obs({ sentinelSeen: false, exitCode: 134 })).outcome).toBe('error');
  });

  it('fs-write-outside: the watched dir decides; an ok write that never reached the host is isolation', () => {
    expect(decideCell('fs-write-outside', enoent, obs({ watchedEntries: [] })).outcome).toBe('denied');
    expect(decideCell('fs-write-outside', { result: 'ok' }, obs({ watchedEntries: ['wvc-probe.txt'] })).outcome).toBe('allowed');
    const iso = decideCell('fs-write-outside', { result: 'ok' }, obs({ watchedEntries: [] }));
    expect(iso.outcome).toBe('denied');
    expect(iso.harnessEvidence).toMatch(/own filesystem/);
  });

  it('fs-write-granted: a changed grant is allowed even if the workload reports failure', () => {
    const erofs = { result: 'error' as const, errno: 30, error: 'Read-only file system' };
    const d = decideCell('fs-write-granted', erofs, obs({ grantChanged: false }));
    expect(d.outcome).toBe('denied');
    expect(d.denialNamed).toBe(true);
    expect(decideCell('fs-write-granted', erofs, obs({ grantChanged: true, grantDetail: 'new: wvc-probe.txt' })).outcome).toBe('allowed');
  });

  it('env-read: the planted secret decides; env denials are not judged for naming', () => {
    const unset = { result: 'error' as const, errno: 0, error: 'not set' };
    const d = decideCell('env-read', unset, obs({ secretSeen: false }));
    expect(d.outcome).toBe('denied');
    expect(d.denialNamed).toBeUndefined();
    expect(decideCell('env-read', { result: 'ok', data: 's' }, obs({ secretSeen: true })).outcome).toBe('allowed');
  });

  it('net-connect: listener connections mean allowed; absent needs a clean listener', () => {
    expect(decideCell('net-connect', { result: 'ok' }, obs({ connections: 1 })).outcome).toBe('allowed');
    expect(decideCell('net-connect', { result: 'absent', detail: 'wasi preview1 has no sockets' }, obs({ connections: 0 })).outcome).toBe('absent');
    // A workload that claims "absent" while the listener saw a connection is not believed.
    expect(decideCell('net-connect', { result: 'absent' }, obs({ connections: 2 })).outcome).toBe('allowed');
    const refused = decideCell('net-connect', { result: 'error', errno: 111, error: 'Connection refused' }, obs({ connections: 0, netNamespace: true }));
    expect(refused.outcome).toBe('denied');
    expect(refused.harnessEvidence).toMatch(/network namespace/);
  });

  it('clock and random are allowed when read', () => {
    expect(decideCell('clock', { result: 'ok' }, obs()).outcome).toBe('allowed');
    expect(decideCell('random', { result: 'error', errno: 52, error: 'Function not implemented' }, obs()).outcome).toBe('denied');
  });

  it('mem-bomb: refused allocation within the limit or a runtime OOM kill is contained; reaching 1 GiB or the bound is not', () => {
    const refused = decideCell('mem-bomb', { result: 'error', errno: 48, error: 'Out of memory', mib: 240 }, obs());
    expect(refused.outcome).toBe('contained');
    expect(refused.denialNamed).toBe(true);
    const oom = decideCell('mem-bomb', null, obs({ exitCode: 137, oomKilled: true, peakBytes: 256 * 2 ** 20 }));
    expect(oom.outcome).toBe('contained');
    expect(oom.denialNamed).toBe(true);
    // An OOM kill the runtime reports is containment even when the meter (a cgroup parent that also
    // holds earlier containers' page cache) peaked above the limit.
    expect(decideCell('mem-bomb', null, obs({ exitCode: 137, oomKilled: true, peakBytes: 325 * 2 ** 20 })).outcome).toBe('contained');
    expect(decideCell('mem-bomb', { result: 'ok', mib: 1024 }, obs()).outcome).toBe('uncontained');
    expect(decideCell('mem-bomb', null, obs({ timedOut: true, exitCode: null, signal: 'SIGKILL', durationMs: 8010 })).outcome).toBe('uncontained');
    // Peak past the limit is uncontained even if the process then died.
    expect(decideCell('mem-bomb', null, obs({ exitCode: null, signal: 'SIGKILL', peakBytes: 900 * 2 ** 20 })).outcome).toBe('uncontained');
    // A silent abort with no measured peak is an unexpected crash, not containment.
    expect(decideCell('mem-bomb', null, obs({ exitCode: null, signal: 'SIGABRT' })).outcome).toBe('error');
  });

  it('cpu-spin: a trap or a runtime kill before the bound is contained; the harness kill is uncontained', () => {
    const fuel = decideCell('cpu-spin', null, obs({ exitCode: 134, stderr: '{"trap":"Caused by:\\n wasm trap: all fuel consumed by WebAssembly"}' }));
    expect(fuel.outcome).toBe('contained');
    expect(fuel.denialNamed).toBe(true);
    const rlimit = decideCell('cpu-spin', null, obs({ exitCode: 137, durationMs: 2600 }));
    expect(rlimit.outcome).toBe('contained');
    expect(rlimit.denialNamed).toBe(false); // a bare SIGKILL says nothing
    const killed = decideCell('cpu-spin', null, obs({ timedOut: true, exitCode: null, signal: 'SIGKILL', durationMs: 8005 }));
    expect(killed.outcome).toBe('uncontained');
    expect(killed.harnessEvidence).toMatch(/killed by the harness after 8005 ms/);
    expect(decideCell('cpu-spin', { result: 'ok' }, obs()).outcome).toBe('error');
  });
});
