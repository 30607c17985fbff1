import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import type { Environment } from '../model.js';
import { ROOT, harnessVersion } from '../paths.js';
import { findLibwasmtime } from '../build/embed-host.js';
import { findWasmtimeCli } from '../targets/wasmtime-cli.js';
import { connectDocker } from '../util/docker.js';

const exec = promisify(execFile);

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
    const { stdout } = await exec('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
    const { stdout: dirty } = await exec('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT });
    return stdout.trim() + (dirty.trim() ? '-dirty' : '');
  } catch {
    return null;
  }
}

/** The machine and every runtime version, recorded once per run (as mitata does). */
export async function collectEnvironment(): Promise<Environment> {
  const [name, commit, lib, cli, dockerConn] = await Promise.all([osName(), gitCommit(), findLibwasmtime(), findWasmtimeCli(), connectDocker()]);
  return {
    os: name,
    kernel: `${os.type()} ${os.release()} ${os.machine()}`,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    docker: dockerConn.ok ? dockerConn.version : null,
    wasmtime: lib?.version ?? null,
    wasmtimeCli: cli?.version ?? null,
    harnessVersion: harnessVersion(),
    gitCommit: commit,
  };
}
