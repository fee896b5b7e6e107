import type { Address } from '@solana/kit';
import { address, lamports } from '@solana/kit';
import { Reasons, X402Error } from '@x402kit/core';
import { DevnetOptionsError } from '../errors.js';
import type { SolanaDevnetAccount, SolanaDevnetRole } from './solana-accounts.js';
import { solanaDevnetAccount } from './solana-accounts.js';
import { SolanaChain } from './solana-chain.js';
import type { SolanaRpcServer } from './solana-rpc-server.js';
import { startSolanaRpcServer } from './solana-rpc-server.js';
import {
  associatedTokenAccount,
  placeMint,
  placeTokenAccount,
  readTokenAccount,
  SOLANA_DEVNET_PYUSD_DECIMALS,
  SOLANA_DEVNET_PYUSD_MINT,
  SOLANA_DEVNET_USDC_DECIMALS,
  SOLANA_DEVNET_USDC_MINT,
  TOKEN_2022_PROGRAM_ADDRESS,
} from './solana-tokens.js';

/** Solana devnet's CAIP-2 id (the first 32 characters of its genesis hash). */
export const SOLANA_DEVNET_NETWORK = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
/** Solana devnet's x402 v1 network name. */
export const SOLANA_DEVNET_V1_NAME = 'solana-devnet';
/** Solana devnet's genesis hash, which the local RPC's `getGenesisHash` answers. */
export const SOLANA_DEVNET_GENESIS_HASH = 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG';

const LAMPORTS_PER_SOL = 1_000_000_000n;

/** Options of {@link startSolanaDevnet}. */
export interface StartSolanaDevnetOptions {
  /** Port of the local JSON-RPC server; `0` or absent picks a free one. */
  port?: number;
  /** Whole USDC in the payer's associated token account (default 1000). */
  fundUsdcWith?: bigint;
  /** Whole PYUSD (Token-2022) in the payer's associated token account (default 1000). */
  fundPyusdWith?: bigint;
  /** Whole SOL each well-known account holds (default 100). */
  fundSolWith?: bigint;
  log?: (line: string) => void;
}

/** A well-known Solana devnet account with its USDC and PYUSD associated token accounts. */
export interface SolanaDevnetAccountWithToken extends SolanaDevnetAccount {
  /** The associated token account of devnet USDC (placed for the payer and payTo, not for the fee payer). */
  readonly usdcAccount: string;
  /** The associated token account of devnet PYUSD, under Token-2022 (placed for the payer and payTo, not for the fee payer). */
  readonly pyusdAccount: string;
}

/** JSON-able description of a running {@link SolanaDevnet}. */
export interface SolanaDevnetDescription {
  network: string;
  v1Name: string;
  rpcUrl: string;
  genesisHash: string;
  /** Mints by symbol; the token program is the mint account's owner (USDC: SPL Token, PYUSD: Token-2022). */
  assets: { USDC: { address: string; decimals: number }; PYUSD: { address: string; decimals: number } };
  accounts: Record<SolanaDevnetRole, SolanaDevnetAccountWithToken>;
}

/** A running Solana devnet: litesvm in-process behind a local Solana JSON-RPC server. */
export interface SolanaDevnet {
  readonly network: string;
  readonly rpcUrl: string;
  readonly chain: SolanaChain;
  readonly server: SolanaRpcServer;
  readonly usdc: { readonly address: Address; readonly decimals: number };
  /** Devnet PYUSD, a Token-2022 mint. */
  readonly pyusd: { readonly address: Address; readonly decimals: number; readonly tokenProgram: Address };
  readonly accounts: SolanaDevnetDescription['accounts'];
  /** SOL (in lamports), USDC and PYUSD (atomic units, 0 without a token account) of `owner`. */
  balances(owner: string): Promise<{ SOL: bigint; USDC: bigint; PYUSD: bigint }>;
  describe(): SolanaDevnetDescription;
  /** Stops the RPC server. Safe to call twice. */
  stop(): Promise<void>;
}

function positive(value: bigint, path: string): bigint {
  if (typeof value !== 'bigint' || value < 0n) throw new DevnetOptionsError(path, 'must be a bigint >= 0');
  return value;
}

/**
 * Starts a Solana devnet: litesvm runs the chain in-process and a Solana JSON-RPC server on 127.0.0.1 fronts
 * it. Devnet USDC sits at its real mint `4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU` (SPL Token, 6
 * decimals) and devnet PYUSD at its real mint `CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM` (Token-2022, 6
 * decimals, without the real mint's extensions); the payer holds SOL, USDC and PYUSD, payTo and the fee payer
 * hold SOL (payTo has empty USDC and PYUSD accounts, as x402's exact scheme requires); all keys are fixed.
 *
 * @example
 * ```ts
 * const devnet = await startSolanaDevnet();
 * const rpc = createSolanaRpc(devnet.rpcUrl);
 * devnet.accounts.payer.address; // base58
 * await devnet.stop();
 * ```
 */
export async function startSolanaDevnet(options: StartSolanaDevnetOptions = {}): Promise<SolanaDevnet> {
  const usdcUnits = 10n ** BigInt(SOLANA_DEVNET_USDC_DECIMALS);
  const fundUsdc = positive(options.fundUsdcWith ?? 1000n, 'fundUsdcWith') * usdcUnits;
  const fundPyusd =
    positive(options.fundPyusdWith ?? 1000n, 'fundPyusdWith') * 10n ** BigInt(SOLANA_DEVNET_PYUSD_DECIMALS);
  const fundSol = positive(options.fundSolWith ?? 100n, 'fundSolWith') * LAMPORTS_PER_SOL;
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DevnetOptionsError('port', `must be an integer from 0 to 65535 (got ${String(port)})`);
  }
  options.log?.('solana devnet: starting litesvm with devnet USDC, devnet PYUSD and funded accounts');
  const { LiteSVM } = await import('litesvm');
  const chain = new SolanaChain(new LiteSVM());
  const roles: SolanaDevnetRole[] = ['payer', 'payTo', 'feePayer'];
  const keys = await Promise.all(roles.map((role) => solanaDevnetAccount(role)));
  const [payer] = keys;
  if (!payer) throw new X402Error(Reasons.internalError, 'solana devnet: no payer');
  const funding: Funding = { fundUsdc, fundPyusd, fundSol };
  placeDevnetMints(chain, address(payer.address), funding);
  const accounts = await placeAccounts(chain, keys, funding);
  const server = await startSolanaRpcServer({
    chain,
    genesisHash: SOLANA_DEVNET_GENESIS_HASH,
    port,
    log: options.log,
  });
  options.log?.(`solana devnet: ${SOLANA_DEVNET_NETWORK} on ${server.url}, payer ${payer.address}`);
  return runningSolanaDevnet(chain, server, accounts);
}

/** Atomic units: USDC and PYUSD the payer gets, lamports every account gets. */
interface Funding {
  fundUsdc: bigint;
  fundPyusd: bigint;
  fundSol: bigint;
}

/** Places devnet USDC (SPL Token) and PYUSD (Token-2022) at their real mints, the payer their mint authority. */
function placeDevnetMints(
  chain: SolanaChain,
  mintAuthority: Address,
  { fundUsdc, fundPyusd }: Funding,
): void {
  placeMint(chain.svm, {
    mint: SOLANA_DEVNET_USDC_MINT,
    decimals: SOLANA_DEVNET_USDC_DECIMALS,
    supply: fundUsdc,
    mintAuthority,
  });
  placeMint(chain.svm, {
    mint: SOLANA_DEVNET_PYUSD_MINT,
    decimals: SOLANA_DEVNET_PYUSD_DECIMALS,
    supply: fundPyusd,
    mintAuthority,
    tokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
  });
}

/**
 * Gives every account its SOL, and the payer and payTo their USDC and PYUSD token accounts (the payer's funded);
 * the fee payer gets none, only their addresses.
 */
async function placeAccounts(
  chain: SolanaChain,
  keys: readonly SolanaDevnetAccount[],
  { fundUsdc, fundPyusd, fundSol }: Funding,
): Promise<Record<SolanaDevnetRole, SolanaDevnetAccountWithToken>> {
  const accounts = {} as Record<SolanaDevnetRole, SolanaDevnetAccountWithToken>;
  for (const key of keys) {
    chain.svm.setAccount({
      address: address(key.address),
      lamports: lamports(fundSol),
      programAddress: address('11111111111111111111111111111111'),
      executable: false,
      data: new Uint8Array(),
      space: 0n,
    });
    const owner = address(key.address);
    const usdcAccount =
      key.role === 'feePayer'
        ? await associatedTokenAccount(SOLANA_DEVNET_USDC_MINT, owner)
        : await placeTokenAccount(chain.svm, {
            mint: SOLANA_DEVNET_USDC_MINT,
            owner,
            amount: key.role === 'payer' ? fundUsdc : 0n,
          });
    const pyusdAccount =
      key.role === 'feePayer'
        ? await associatedTokenAccount(SOLANA_DEVNET_PYUSD_MINT, owner, TOKEN_2022_PROGRAM_ADDRESS)
        : await placeTokenAccount(chain.svm, {
            mint: SOLANA_DEVNET_PYUSD_MINT,
            owner,
            amount: key.role === 'payer' ? fundPyusd : 0n,
            tokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
          });
    accounts[key.role] = { ...key, usdcAccount, pyusdAccount };
  }
  return accounts;
}

/** The handle of a started Solana devnet; `stop` stops the RPC server. */
function runningSolanaDevnet(
  chain: SolanaChain,
  server: SolanaRpcServer,
  accounts: Record<SolanaDevnetRole, SolanaDevnetAccountWithToken>,
): SolanaDevnet {
  const description: SolanaDevnetDescription = {
    network: SOLANA_DEVNET_NETWORK,
    v1Name: SOLANA_DEVNET_V1_NAME,
    rpcUrl: server.url,
    genesisHash: SOLANA_DEVNET_GENESIS_HASH,
    assets: {
      USDC: { address: SOLANA_DEVNET_USDC_MINT, decimals: SOLANA_DEVNET_USDC_DECIMALS },
      PYUSD: { address: SOLANA_DEVNET_PYUSD_MINT, decimals: SOLANA_DEVNET_PYUSD_DECIMALS },
    },
    accounts,
  };
  return {
    network: SOLANA_DEVNET_NETWORK,
    rpcUrl: server.url,
    chain,
    server,
    usdc: { address: SOLANA_DEVNET_USDC_MINT, decimals: SOLANA_DEVNET_USDC_DECIMALS },
    pyusd: {
      address: SOLANA_DEVNET_PYUSD_MINT,
      decimals: SOLANA_DEVNET_PYUSD_DECIMALS,
      tokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
    },
    accounts,
    async balances(owner) {
      const ownerAddress = address(owner);
      const [usdc, pyusd] = await Promise.all([
        associatedTokenAccount(SOLANA_DEVNET_USDC_MINT, ownerAddress),
        associatedTokenAccount(SOLANA_DEVNET_PYUSD_MINT, ownerAddress, TOKEN_2022_PROGRAM_ADDRESS),
      ]);
      return {
        SOL: chain.svm.getBalance(ownerAddress) ?? 0n,
        USDC: readTokenAccount(chain.svm, usdc)?.amount ?? 0n,
        PYUSD: readTokenAccount(chain.svm, pyusd)?.amount ?? 0n,
      };
    },
    describe: () => structuredClone(description),
    stop: () => server.stop(),
  };
}
