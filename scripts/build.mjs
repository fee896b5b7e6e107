// One build command: compile the Solidity contracts (devnet), then type-check and emit every package,
// then type-check the tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const contracts = 'packages/devnet/scripts/compile-contracts.mjs';
if (existsSync(contracts)) run(process.execPath, [contracts]);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-b']);
// The tests of the packages that use @x402kit/testing sit outside their package's build (the testing
// package depends on those packages), so test/tsconfig.json type-checks them with the root tests.
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test']);
