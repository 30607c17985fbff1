#!/usr/bin/env node
// The package bin: runs the compiled CLI (npm run build compiles harness/ to dist/).
import('../dist/harness/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('wvc: the harness is not compiled yet — run `npm run build` first');
    process.exit(2);
  }
  throw err;
});
