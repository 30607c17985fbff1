import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

/** Repository root: the nearest folder above this file with a package.json (from harness/ in tests, from dist/harness/ when compiled). */
export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}
/** Generated build output (gitignored). */
export const BUILD_DIR = path.join(ROOT, 'build');
export const MANIFEST_PATH = path.join(BUILD_DIR, 'manifest.json');
/** The C tax-calculator workload (its TypeScript reference and vectors live with the harness's tests). */
export const WORKLOAD_DIR = path.join(ROOT, 'modules', 'tax-calculator');
/** The same calculator in JavaScript. */
export const JS_WORKLOAD_DIR = path.join(ROOT, 'modules', 'tax-calculator-js');
/** What bench, verify and build run when no --workload is given. */
export const DEFAULT_WORKLOADS: readonly string[] = [WORKLOAD_DIR, JS_WORKLOAD_DIR];
/** The harness's own probe guest (its manifest and C source), built with every build and run by the capability matrix for every workload. */
export const PROBE_GUEST_DIR = path.join(ROOT, 'harness', 'probe-guest');
/** Its manifest's name: its artifacts are `wvc-probe/<role>`. */
export const PROBE_GUEST_NAME = 'wvc-probe';
export const RULES_DIR = path.join(WORKLOAD_DIR, 'rules');
export const VECTORS_PATH = path.join(WORKLOAD_DIR, 'vectors.jsonl');
/** Compiled host scripts run by the Node targets. */
export const HOSTS_DIST = path.join(ROOT, 'dist', 'harness', 'hosts');

const require = createRequire(import.meta.url);

/** Absolute path of a file inside an installed npm package (some packages do not export their package.json). */
export function packageFile(name: string, rel: string): string {
  return path.join(ROOT, 'node_modules', name, rel);
}

/** Version of an installed npm package, read from its package.json. */
export function packageVersion(name: string): string {
  return (require(packageFile(name, 'package.json')) as { version: string }).version;
}

/** The harness's own version, from package.json. */
export function harnessVersion(): string {
  return (require(path.join(ROOT, 'package.json')) as { version: string }).version;
}
