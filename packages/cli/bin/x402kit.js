#!/usr/bin/env node
// The `x402kit` executable that npm links. It is committed (not built) so that `npm ci` links it on
// a fresh clone, before the first build: npm skips a bin whose file is missing, and dist/ is made by
// `npm run build`. It only loads the compiled CLI, or says how to make it.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// `x402kit facilitator` is a long-running server whose live heap is ~40 MB, but V8's default heap
// growth lets RSS climb to ~230-290 MB under 500 /verify per second (garbage not yet collected).
// Two V8 flags bound it: --optimize-for-size (the old generation grows less eagerly) and
// --semi-space-growth-factor=1 (the young generation stays at its initial size). These are set
// here, after V8 started, where a size flag such as --max-semi-space-size no longer takes effect
// but the growth factor still does. Measured with `npm run bench -- memory` (500 /verify/s, 10 s):
// peak RSS ~151-162 MB with --optimize-for-size alone, ~136-139 MB with both, for ~14% more CPU
// per /verify (2.25 -> 2.6 ms; still 2-4x the official engine's throughput). An operator's own
// heap flags (NODE_OPTIONS or node's command line) are left alone: e.g.
// NODE_OPTIONS=--max-semi-space-size=16 trades the memory back for throughput.
const heapFlags =
  /--(optimize-for-size|(max|min)-semi-space-size|semi-space-growth-factor|max-old-space-size)/;
if (
  process.argv[2] === 'facilitator' &&
  !heapFlags.test(process.env.NODE_OPTIONS ?? '') &&
  !process.execArgv.some((flag) => heapFlags.test(flag))
) {
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--semi-space-growth-factor=1');
}

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'x402kit: the CLI is not built yet (packages/cli/dist/bin.js is missing): run `npm run build` first\n',
  );
  process.exit(1);
}
await import(cli.href);
