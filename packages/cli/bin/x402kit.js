#!/usr/bin/env node
// The `x402kit` executable that npm links. It is committed (not built) so that `npm ci` links it on
// a fresh clone, before the first build: npm skips a bin whose file is missing, and dist/ is made by
// `npm run build`. It only loads the compiled CLI, or says how to make it.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// `x402kit facilitator` is a long-running server whose live heap is ~40 MB, but V8's default heap
// growth lets RSS climb to ~230-290 MB under 500 /verify per second (garbage not yet collected).
// --optimize-for-size makes V8 grow the heap less eagerly: measured peak RSS ~130 MB at the same
// load (bench: `npm run bench -- memory`). An operator's own heap flags (NODE_OPTIONS or node's
// command line) are left alone.
const heapFlags = /--(optimize-for-size|max-semi-space-size|max-old-space-size)/;
if (
  process.argv[2] === 'facilitator' &&
  !heapFlags.test(process.env.NODE_OPTIONS ?? '') &&
  !process.execArgv.some((flag) => heapFlags.test(flag))
) {
  setFlagsFromString('--optimize-for-size');
}

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'x402kit: the CLI is not built yet (packages/cli/dist/bin.js is missing): run `npm run build` first\n',
  );
  process.exit(1);
}
await import(cli.href);
