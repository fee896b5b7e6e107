#!/usr/bin/env node
// The `x402kit` executable: the only place that touches `process` (argv, env, signals, exit).
import { runCli } from './cli.js';
import type { CliContext } from './command.js';

const stop = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143); // a second Ctrl+C: stop now
  stop.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const context: CliContext = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: stop.signal,
};

const code = await runCli(process.argv.slice(2), context);
// Flush what was written, then exit even if a library left a socket or timer behind.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
