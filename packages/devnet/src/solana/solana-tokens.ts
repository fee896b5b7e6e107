import type { Address } from '@solana/kit';
import { address, lamports } from '@solana/kit';
import {
  AccountState,
  findAssociatedTokenPda,
  getMintDecoder,
  getMintEncoder,
  getTokenDecoder,
  getTokenEncoder,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import type { LiteSVM } from 'litesvm';

/** USDC's mint on Solana devnet (Circle), 6 decimals. */
export const SOLANA_DEVNET_USDC_MINT = address('4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
export const SOLANA_DEVNET_USDC_DECIMALS = 6;

const MINT_SIZE = 82n;
const TOKEN_ACCOUNT_SIZE = 165n;

/**
 * Writes an initialized SPL Token mint straight into litesvm's accounts (any address, no keypair needed).
 *
 * @example
 * ```ts
 * placeMint(svm, { mint: SOLANA_DEVNET_USDC_MINT, decimals: 6, supply: 0n, mintAuthority: payer });
 * ```
 */
export function placeMint(
  svm: LiteSVM,
  params: { mint: Address; decimals: number; supply: bigint; mintAuthority: Address },
): void {
  const data = getMintEncoder().encode({
    mintAuthority: params.mintAuthority,
    supply: params.supply,
    decimals: params.decimals,
    isInitialized: true,
    freezeAuthority: null,
  });
  svm.setAccount({
    address: params.mint,
    lamports: lamports(svm.minimumBalanceForRentExemption(MINT_SIZE)),
    programAddress: TOKEN_PROGRAM_ADDRESS,
    executable: false,
    data: new Uint8Array(data),
    space: MINT_SIZE,
  });
}

/**
 * `owner`'s associated token account of `mint` under the SPL Token program.
 *
 * @example
 * ```ts
 * const ata = await associatedTokenAccount(SOLANA_DEVNET_USDC_MINT, payer);
 * ```
 */
export async function associatedTokenAccount(mint: Address, owner: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ mint, owner, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

/**
 * Writes `owner`'s associated token account of `mint` holding `amount`; answers its address.
 *
 * @example
 * ```ts
 * const ata = await placeTokenAccount(svm, { mint, owner: payer, amount: 1_000_000_000n });
 * ```
 */
export async function placeTokenAccount(
  svm: LiteSVM,
  params: { mint: Address; owner: Address; amount: bigint },
): Promise<Address> {
  const ata = await associatedTokenAccount(params.mint, params.owner);
  const data = getTokenEncoder().encode({
    mint: params.mint,
    owner: params.owner,
    amount: params.amount,
    delegate: null,
    state: AccountState.Initialized,
    isNative: null,
    delegatedAmount: 0n,
    closeAuthority: null,
  });
  svm.setAccount({
    address: ata,
    lamports: lamports(svm.minimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE)),
    programAddress: TOKEN_PROGRAM_ADDRESS,
    executable: false,
    data: new Uint8Array(data),
    space: TOKEN_ACCOUNT_SIZE,
  });
  return ata;
}

/** `{amount, decimals, uiAmount, uiAmountString}` as Solana's RPC reports token amounts. */
export function uiTokenAmount(amount: bigint, decimals: number) {
  const scale = 10n ** BigInt(decimals);
  const whole = amount / scale;
  const fraction = (amount % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  const uiAmountString = fraction === '' ? whole.toString() : `${whole}.${fraction}`;
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString };
}

function decimalsOf(svm: LiteSVM, mint: Address): number | undefined {
  const account = svm.getAccount(mint);
  if (!account.exists || account.programAddress !== TOKEN_PROGRAM_ADDRESS) return undefined;
  if (BigInt(account.data.length) !== MINT_SIZE) return undefined;
  return getMintDecoder().decode(account.data).decimals;
}

/** The token account's balance, or `undefined` when `account` is not an SPL Token account. */
export function readTokenAccount(
  svm: LiteSVM,
  account: Address,
): { mint: Address; owner: Address; amount: bigint; decimals: number } | undefined {
  const stored = svm.getAccount(account);
  if (!stored.exists || stored.programAddress !== TOKEN_PROGRAM_ADDRESS) return undefined;
  if (BigInt(stored.data.length) !== TOKEN_ACCOUNT_SIZE) return undefined;
  const token = getTokenDecoder().decode(stored.data);
  const decimals = decimalsOf(svm, token.mint);
  if (decimals === undefined) return undefined;
  return { mint: token.mint, owner: token.owner, amount: token.amount, decimals };
}

/**
 * The `jsonParsed` form of an SPL Token mint or token account (`{program, parsed: {type, info}, space}`), or
 * `undefined` for any other account (the RPC then falls back to base64, as Solana does).
 */
export function parseTokenAccountData(svm: LiteSVM, account: Address): Record<string, unknown> | undefined {
  const stored = svm.getAccount(account);
  if (!stored.exists || stored.programAddress !== TOKEN_PROGRAM_ADDRESS) return undefined;
  const space = stored.data.length;
  if (BigInt(space) === MINT_SIZE) {
    const mint = getMintDecoder().decode(stored.data);
    const option = (value: { __option: 'Some'; value: Address } | { __option: 'None' }) =>
      value.__option === 'Some' ? value.value : null;
    return {
      program: 'spl-token',
      parsed: {
        type: 'mint',
        info: {
          decimals: mint.decimals,
          freezeAuthority: option(mint.freezeAuthority),
          isInitialized: mint.isInitialized,
          mintAuthority: option(mint.mintAuthority),
          supply: mint.supply.toString(),
        },
      },
      space,
    };
  }
  const token = readTokenAccount(svm, account);
  if (!token) return undefined;
  return {
    program: 'spl-token',
    parsed: {
      type: 'account',
      info: {
        isNative: false,
        mint: token.mint,
        owner: token.owner,
        state: 'initialized',
        tokenAmount: uiTokenAmount(token.amount, token.decimals),
      },
    },
    space,
  };
}
