#!/usr/bin/env node
// The `x402kit` executable that npm links. It is committed (not built) so that `npm ci` links it on
// a fresh clone, before the first build: npm skips a bin whose file is missing, and dist/ is made by
// `npm run build`. It only loads the compiled CLI, or says how to make it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'x402kit: the CLI is not built yet (packages/cli/dist/bin.js is missing): run `npm run build` first\n',
  );
  process.exit(1);
}
await import(cli.href);
