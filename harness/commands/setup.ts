/**
 * `wvc setup`, and the setup step `npm run bench` and `npm test` start with: it
 * checks every prerequisite as `wvc doctor` does, and when something that
 * scripts/setup.sh can install or start is missing —
 *   - as root, or with passwordless sudo: runs the steps of scripts/setup.sh that
 *     fix it, then prints one line per thing installed or started;
 *   - otherwise: prints the one command to run, and the run goes on with what is
 *     there (those targets are skipped rows with their hints).
 * Nothing missing: nothing is run and nothing printed. `WVC_SETUP=0` turns it off.
 * It never throws: a failure is one line, and the caller carries on.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { errorLine } from '../errors.js';
import { BUILD_DIR, ROOT } from '../paths.js';
import type { SetupStep } from '../targets/types.js';
import { checkPrerequisites, type DoctorLine } from './doctor.js';

export const SETUP_SCRIPT = path.join(ROOT, 'scripts', 'setup.sh');
/** Where the output of the setup steps goes (apt-get, pip, dockerd's start), appended. */
export const SETUP_LOG = path.join(BUILD_DIR, 'setup.log');
/** scripts/setup.sh runs its steps in this order, whatever order they are named in. */
const STEP_ORDER: readonly SetupStep[] = ['packages', 'pip-wasmtime', 'dockerd', 'containerd-daemon', 'debian-base'];

/** Who may install: root, a user with passwordless sudo, or neither. */
export type Privilege = 'root' | 'sudo' | 'none';

/** What the setup step decided. */
export type SetupPlan =
  | { kind: 'off' }
  | { kind: 'nothing-missing' }
  | { kind: 'run'; steps: SetupStep[]; missing: DoctorLine[]; privilege: 'root' | 'sudo' }
  | { kind: 'hint'; command: string; missing: DoctorLine[] };

/** The missing prerequisites that a setup step fixes. */
export function fixable(lines: readonly DoctorLine[]): DoctorLine[] {
  return lines.filter((l) => !l.ok && l.fix?.length);
}

/** Pure: what to do about what is missing, given who may install and the environment. */
export function planSetup(lines: readonly DoctorLine[], privilege: Privilege, env: Readonly<Record<string, string | undefined>>, script = 'scripts/setup.sh'): SetupPlan {
  if (env.WVC_SETUP === '0') return { kind: 'off' };
  const missing = fixable(lines);
  if (!missing.length) return { kind: 'nothing-missing' };
  const steps = STEP_ORDER.filter((s) => missing.some((l) => l.fix!.includes(s)));
  if (privilege === 'none') return { kind: 'hint', command: `sudo bash ${script}`, missing };
  return { kind: 'run', steps, missing, privilege };
}

/** The verb for a thing a step made present: a daemon is started, the base image built, the rest installed. */
function verb(line: DoctorLine): string {
  const last = line.fix![line.fix!.length - 1];
  return last === 'dockerd' || last === 'containerd-daemon' ? 'started' : last === 'debian-base' ? 'built' : 'installed';
}

/** What the setup step reads and runs; tests inject their own. */
export interface SetupDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** Every prerequisite line, as `wvc doctor` lists them. */
  probe(): Promise<DoctorLine[]>;
  privilege(): Promise<Privilege>;
  /** Runs these steps of scripts/setup.sh; rejects when the script fails. */
  runSteps(steps: readonly SetupStep[]): Promise<void>;
  print(line: string): void;
}

/** Root, else whether `sudo -n true` works (sudo installed and no password asked). */
export async function currentPrivilege(): Promise<Privilege> {
  if (process.getuid?.() === 0) return 'root';
  const r = await execa('sudo', ['-n', 'true'], { reject: false, stdin: 'ignore', timeout: 5_000 });
  return r.exitCode === 0 ? 'sudo' : 'none';
}

/** Runs `bash scripts/setup.sh STEP...` (which uses sudo -n itself when not root), its output appended to {@link SETUP_LOG}. */
export async function runSetupScript(steps: readonly SetupStep[]): Promise<void> {
  await mkdir(path.dirname(SETUP_LOG), { recursive: true });
  await appendFile(SETUP_LOG, `\n# ${new Date().toISOString()} bash scripts/setup.sh ${steps.join(' ')}\n`);
  await execa('bash', [SETUP_SCRIPT, ...steps], { stdin: 'ignore', stdout: { file: SETUP_LOG, append: true }, stderr: ['pipe', { file: SETUP_LOG, append: true }], env: { CI: 'true', DEBIAN_FRONTEND: 'noninteractive' } });
}

const defaultDeps = (): SetupDeps => ({
  env: process.env,
  probe: () => checkPrerequisites(),
  privilege: currentPrivilege,
  runSteps: runSetupScript,
  print: (line) => console.error(line),
});

/** What the setup step did: its plan, and which missing things are present afterwards. */
export interface SetupOutcome {
  plan: SetupPlan;
  fixed: DoctorLine[];
  stillMissing: DoctorLine[];
  failure?: string;
}

/**
 * The setup step. Probes (in parallel: well under a second when nothing is missing),
 * plans, and runs the steps when it may; never throws.
 */
export async function setup(overrides: Partial<SetupDeps> = {}): Promise<SetupOutcome> {
  const deps = { ...defaultDeps(), ...overrides };
  let plan: SetupPlan = { kind: 'nothing-missing' };
  try {
    if (deps.env.WVC_SETUP === '0') return { plan: { kind: 'off' }, fixed: [], stillMissing: [] };
    const before = await deps.probe();
    if (!fixable(before).length) return { plan, fixed: [], stillMissing: [] };
    plan = planSetup(before, await deps.privilege(), deps.env, path.relative(process.cwd(), SETUP_SCRIPT) || SETUP_SCRIPT);
    if (plan.kind === 'hint') {
      deps.print(`setup: missing ${plan.missing.map((l) => l.name).join(', ')} — to install them, run: ${plan.command} (WVC_SETUP=0 hides this)`);
      return { plan, fixed: [], stillMissing: plan.missing };
    }
    if (plan.kind !== 'run') return { plan, fixed: [], stillMissing: [] };
    deps.print(`setup: missing ${plan.missing.map((l) => l.name).join(', ')} — running scripts/setup.sh ${plan.steps.join(' ')}${plan.privilege === 'sudo' ? ' (through sudo)' : ''}; log: ${path.relative(process.cwd(), SETUP_LOG) || SETUP_LOG}`);
    let failure: string | undefined;
    try {
      await deps.runSteps(plan.steps);
    } catch (e) {
      failure = errorLine(e);
    }
    const after = new Map((await deps.probe()).map((l) => [l.name, l]));
    const fixed: DoctorLine[] = [];
    const stillMissing: DoctorLine[] = [];
    for (const was of plan.missing) {
      const now = after.get(was.name);
      if (now?.ok) {
        fixed.push(now);
        deps.print(`setup: ${verb(was)} ${now.name} — ${now.detail}`);
      } else stillMissing.push(now ?? was);
    }
    if (failure) deps.print(`setup: scripts/setup.sh ${plan.steps.join(' ')} failed: ${failure}`);
    for (const l of stillMissing) deps.print(`setup: still missing ${l.name} — ${l.detail}`);
    return { plan, fixed, stillMissing, ...(failure ? { failure } : {}) };
  } catch (e) {
    const failure = errorLine(e);
    deps.print(`setup: failed, carrying on without it: ${failure}`);
    return { plan, fixed: [], stillMissing: [], failure };
  }
}
