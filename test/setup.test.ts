import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import path from 'node:path';
import { planSetup, runSetupScript, setup, type Privilege } from '../harness/commands/setup.js';
import type { DoctorLine } from '../harness/commands/doctor.js';
import type { SetupStep } from '../harness/targets/types.js';
import { ROOT } from './support.js';

const ok = (name: string): DoctorLine => ({ name, ok: true, detail: `${name} 1.0` });
const missing = (name: string, fix?: SetupStep[]): DoctorLine => ({ name, ok: false, detail: `${name} missing — fix it`, ...(fix ? { fix } : {}) });

describe('planSetup: what is missing → which steps, by who may install', () => {
  const lines = [ok('Node.js'), missing('docker engine', ['packages', 'dockerd']), missing('Debian base image', ['debian-base']), missing('libwasmtime', ['pip-wasmtime']), missing('crun (optional)')];

  it('as root: the steps that fix what is missing, in the script order; a missing thing no step fixes is left out', () => {
    const plan = planSetup(lines, 'root', {});
    expect(plan).toMatchObject({ kind: 'run', privilege: 'root', steps: ['packages', 'pip-wasmtime', 'dockerd', 'debian-base'] });
    expect(plan.kind === 'run' && plan.missing.map((l) => l.name)).toEqual(['docker engine', 'Debian base image', 'libwasmtime']);
  });

  it('with passwordless sudo: the same steps, through sudo', () => {
    expect(planSetup(lines, 'sudo', {})).toMatchObject({ kind: 'run', privilege: 'sudo', steps: ['packages', 'pip-wasmtime', 'dockerd', 'debian-base'] });
  });

  it('without root or sudo: the one command to run', () => {
    expect(planSetup(lines, 'none', {}, 'scripts/setup.sh')).toEqual({ kind: 'hint', command: 'sudo bash scripts/setup.sh', missing: lines.slice(1, 4) });
  });

  it('nothing that setup fixes is missing: nothing to do, whoever runs it', () => {
    for (const p of ['root', 'sudo', 'none'] as Privilege[]) expect(planSetup([ok('Node.js'), missing('crun (optional)'), missing('wasmtime CLI (optional)')], p, {})).toEqual({ kind: 'nothing-missing' });
  });

  it('WVC_SETUP=0 turns it off; any other value leaves it on', () => {
    expect(planSetup(lines, 'root', { WVC_SETUP: '0' })).toEqual({ kind: 'off' });
    expect(planSetup(lines, 'root', { WVC_SETUP: '1' }).kind).toBe('run');
  });
});

/** A setup run over injected probes: `states` are what successive probes return. */
function fake(states: DoctorLine[][], privilege: Privilege, opts: { env?: Record<string, string>; fail?: Error } = {}) {
  const printed: string[] = [];
  const ran: SetupStep[][] = [];
  let probes = 0;
  const deps = {
    env: opts.env ?? {},
    probe: async () => states[Math.min(probes++, states.length - 1)]!,
    privilege: async () => privilege,
    runSteps: async (steps: readonly SetupStep[]) => {
      ran.push([...steps]);
      if (opts.fail) throw opts.fail;
    },
    print: (l: string) => printed.push(l),
  };
  return { deps, printed, ran, probes: () => probes };
}

describe('setup: runs the steps, then one line per thing installed or started', () => {
  const before = [ok('Node.js'), missing('docker engine', ['dockerd']), missing('hyperfine', ['packages'])];
  const after = [ok('Node.js'), { name: 'docker engine', ok: true, detail: '20.10.24' }, { name: 'hyperfine', ok: true, detail: 'hyperfine 1.16.1' }];

  it('as root: runs the steps once and names what each made present', async () => {
    const f = fake([before, after], 'root');
    const out = await setup(f.deps);
    expect(f.ran).toEqual([['packages', 'dockerd']]);
    expect(out.fixed.map((l) => l.name)).toEqual(['docker engine', 'hyperfine']);
    expect(out.stillMissing).toEqual([]);
    expect(f.printed.slice(1)).toEqual(['setup: started docker engine — 20.10.24', 'setup: installed hyperfine — hyperfine 1.16.1']);
  });

  it('without root: prints the command in one line and runs nothing', async () => {
    const f = fake([before], 'none');
    const out = await setup(f.deps);
    expect(f.ran).toEqual([]);
    expect(f.printed).toHaveLength(1);
    expect(f.printed[0]).toMatch(/^setup: missing docker engine, hyperfine — to install them, run: sudo bash \S*scripts\/setup\.sh/);
    expect(out.plan.kind).toBe('hint');
  });

  it('a failing step is one line, and what is still missing is named; it does not throw', async () => {
    const f = fake([before, [ok('Node.js'), { ...before[1]!, detail: 'docker: no daemon at /var/run/docker.sock — start dockerd' }, after[2]!]], 'sudo', { fail: new Error('Command failed with exit code 1: bash scripts/setup.sh packages docker') });
    const out = await setup(f.deps);
    expect(out.failure).toMatch(/exit code 1/);
    expect(f.printed).toContain('setup: installed hyperfine — hyperfine 1.16.1');
    expect(f.printed).toContain('setup: scripts/setup.sh packages dockerd failed: Command failed with exit code 1: bash scripts/setup.sh packages docker');
    expect(f.printed).toContain('setup: still missing docker engine — docker: no daemon at /var/run/docker.sock — start dockerd');
  });

  it('a probe that throws is one line, never a crash', async () => {
    const f = fake([], 'root');
    f.deps.probe = async () => {
      throw new Error('probe broke');
    };
    const out = await setup(f.deps);
    expect(out.failure).toBe('probe broke');
    expect(f.printed).toEqual(['setup: failed, carrying on without it: probe broke']);
  });

  it('WVC_SETUP=0: nothing probed, run or printed', async () => {
    const f = fake([before], 'root', { env: { WVC_SETUP: '0' } });
    const out = await setup(f.deps);
    expect(out.plan).toEqual({ kind: 'off' });
    expect([f.probes(), f.ran.length, f.printed.length]).toEqual([0, 0, 0]);
  });

  it('idempotent: a second run after everything is present does nothing', async () => {
    const f = fake([after], 'root');
    const out = await setup(f.deps);
    expect(out.plan).toEqual({ kind: 'nothing-missing' });
    expect([f.ran.length, f.printed.length]).toEqual([0, 0]);
  });
});

describe('setup on this machine (real probes)', () => {
  it('everything it can install is here: it runs no step and prints nothing', async () => {
    const printed: string[] = [];
    const ran: (readonly SetupStep[])[] = [];
    // The probes and the privilege check are real; only the installer is replaced, so a test never installs anything.
    const out = await setup({ env: { ...process.env, WVC_SETUP: undefined }, runSteps: async (s) => void ran.push(s), print: (l) => printed.push(l) });
    expect(out.plan, `missing here: ${printed.join('; ')}`).toEqual({ kind: 'nothing-missing' });
    expect(ran).toEqual([]);
    expect(printed).toEqual([]);
  });

  it('a setup script that fails (the real script, a step it refuses): one line naming the command and its stderr', async () => {
    const printed: string[] = [];
    const before = [missing('hyperfine', ['packages'])];
    await setup({ env: {}, probe: async () => before, privilege: async () => 'root', runSteps: () => runSetupScript(['no-such-step' as SetupStep]), print: (l) => printed.push(l) });
    expect(printed).toContain(`setup: scripts/setup.sh packages failed: Command failed with exit code 2: bash ${path.join(ROOT, 'scripts', 'setup.sh')} no-such-step — setup: unknown step no-such-step (choose from: packages pip-wasmtime dockerd containerd-daemon debian-base)`);
  });

  it('scripts/setup.sh refuses an unknown step in one line, before touching anything', async () => {
    const r = await execa('bash', [path.join(ROOT, 'scripts', 'setup.sh'), 'no-such-step'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('setup: unknown step no-such-step (choose from: packages pip-wasmtime dockerd containerd-daemon debian-base)');
  });
});
