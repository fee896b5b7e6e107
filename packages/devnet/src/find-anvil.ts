import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { AnvilStartError } from './errors.js';

/**
 * The npm packages of Foundry's anvil binary, by `process.platform`-`process.arch`. They are optional
 * dependencies of @x402kit/devnet: npm installs the one matching the machine and skips the others.
 */
export const ANVIL_PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Where {@link findAnvil} found anvil. */
export interface FoundAnvil {
  readonly path: string;
  /** `package`: the platform npm package; `ANVIL_PATH`: the environment variable; `PATH`: a PATH directory. */
  readonly from: 'package' | 'ANVIL_PATH' | 'PATH';
}

/** What {@link findAnvil} looks at; each defaults to this process's own. */
export interface FindAnvilOptions {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: string;
  arch?: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the anvil binary: the file `ANVIL_PATH` names when it is set (an explicit choice wins), else
 * the platform package for this OS and CPU if it is installed, else `anvil` in a directory of `PATH`. Throws an `AnvilStartError` that lists
 * what it looked at, and how to get anvil, when none is there (or `ANVIL_PATH` names no executable).
 *
 * @example
 * ```ts
 * const { path, from } = findAnvil(); // { path: '.../@foundry-rs/anvil-linux-amd64/bin/anvil', from: 'package' } (ANVIL_PATH unset)
 * ```
 */
export function findAnvil(options: FindAnvilOptions = {}): FoundAnvil {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const executable = platform === 'win32' ? 'anvil.exe' : 'anvil';
  const looked: string[] = [];

  const fromEnv = env.ANVIL_PATH;
  if (fromEnv) {
    if (isExecutableFile(fromEnv)) return { path: fromEnv, from: 'ANVIL_PATH' };
    throw new AnvilStartError(
      `anvil not found: ANVIL_PATH=${fromEnv} is not an executable file. ` +
        "Point ANVIL_PATH at the anvil binary, or unset it to use the platform package's anvil or anvil on PATH",
    );
  }
  looked.push('ANVIL_PATH (not set)');

  const packageName = ANVIL_PLATFORM_PACKAGES[`${platform}-${arch}`];
  if (packageName) {
    try {
      const path = createRequire(import.meta.url).resolve(`${packageName}/bin/${executable}`);
      if (isExecutableFile(path)) return { path, from: 'package' };
      looked.push(`the npm package ${packageName} (installed, but ${path} is not executable)`);
    } catch {
      looked.push(`the npm package ${packageName} (not installed)`);
    }
  } else {
    looked.push(
      `an npm package for ${platform}-${arch} (Foundry publishes anvil for ${Object.keys(ANVIL_PLATFORM_PACKAGES).join(', ')})`,
    );
  }

  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const path = join(dir, executable);
    if (isExecutableFile(path)) return { path, from: 'PATH' };
  }
  looked.push(
    `${executable} on PATH (${dirs.length === 0 ? 'PATH is empty' : `not in ${dirs.join(delimiter)}`})`,
  );

  const install = packageName ? `npm install ${packageName}, or ` : '';
  throw new AnvilStartError(
    `anvil not found; looked for ${looked.join('; ')}. To fix: ${install}install Foundry ` +
      '(https://getfoundry.sh) and put anvil on PATH, or set ANVIL_PATH to the anvil binary',
  );
}
