/**
 * Names a Kubernetes cluster gives its Wasm runtime, the defaults of `wvc k8s plan`.
 * They are the cluster's, not a bench target's: runwasi's Wasmtime shim
 * (containerd-shim-wasmtime-v1) registers with containerd as the runtime handler
 * `wasmtime`, which happens to equal the id of the wasmtime CLI target.
 */

/** The RuntimeClass handler runwasi's Wasmtime shim registers (and the RuntimeClass's name). */
export const DEFAULT_HANDLER = 'wasmtime';
/** The label of the nodes prepared with that shim. */
export const DEFAULT_NODE_SELECTOR: Readonly<Record<string, string>> = { 'wvc.dev/wasm-runtime': DEFAULT_HANDLER };
