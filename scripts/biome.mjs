// Runs the biome binary from its platform package. The `@biomejs/biome` wrapper lists optional
// packages for other platforms that the registry here does not serve, which breaks `npm ci`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const binary = require.resolve('@biomejs/cli-linux-x64/biome');
const r = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
