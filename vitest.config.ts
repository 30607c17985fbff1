import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests drive real runtimes (Docker, Wasmtime, Node hosts) on a 2-core machine:
    // one file at a time keeps them from starving each other. No test asserts speed.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
