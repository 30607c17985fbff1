import type { Target } from './types.js';
import { native } from './native.js';
import { node } from './node.js';
import { nodeWasi } from './node-wasi.js';
import { jco } from './jco.js';
import { wasmtimeEmbed } from './wasmtime-embed.js';
import { wasmtimeCli } from './wasmtime-cli.js';
import { docker } from './docker.js';

/** Every runtime target, by id. Adding a runtime is one file in this folder and one line here. */
export const targets = {
  native,
  node,
  'node-wasi': nodeWasi,
  jco,
  'wasmtime-embed': wasmtimeEmbed,
  wasmtime: wasmtimeCli,
  docker,
} as const satisfies Record<string, Target>;

export type TargetId = keyof typeof targets;

export const TARGET_IDS = Object.keys(targets) as TargetId[];

/** Type guard for user-supplied target names. */
export function isTargetId(s: string): s is TargetId {
  return Object.hasOwn(targets, s);
}
