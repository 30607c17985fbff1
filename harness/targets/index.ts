import type { Registry, TargetDefinition } from './types.js';
import { native } from './native.js';
import { node } from './node.js';
import { nodeWasi } from './node-wasi.js';
import { jco } from './jco.js';
import { wasmtimeEmbed } from './wasmtime-embed.js';
import { wasmtimeCli } from './wasmtime-cli.js';
import { wasmedge } from './wasmedge.js';
import { docker } from './docker.js';
import { containerd } from './containerd.js';
import { oci } from './oci.js';

/**
 * Every runtime target, in the order rows are measured and shown. Adding a runtime
 * is one file in this folder and one line here; nothing else names a target.
 */
export const registry: Registry = byId([native, node, nodeWasi, jco, wasmtimeEmbed, wasmtimeCli, wasmedge, docker, containerd, oci]);

/** A registry from a list of definitions (tests inject their own); a duplicate id is a harness fault. */
export function byId(defs: readonly TargetDefinition[]): Registry {
  const out: Record<string, TargetDefinition> = {};
  for (const d of defs) {
    if (Object.hasOwn(out, d.id)) throw new Error(`two targets named ${d.id}`);
    out[d.id] = d;
  }
  return out;
}

/** The ids of a registry, in order. */
export const idsOf = (r: Registry): string[] => Object.keys(r);
