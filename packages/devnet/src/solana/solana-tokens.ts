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

/** USDC's mint on Solana devnet (Circle), 6 decimals, an SPL Token mint. */
export const SOLANA_DEVNET_USDC_MINT = address('4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
/** USDC's decimals on Solana devnet. */
export const SOLANA_DEVNET_USDC_DECIMALS = 6;
/** PYUSD's mint on Solana devnet (Paxos), 6 decimals, a Token-2022 mint. */
export const SOLANA_DEVNET_PYUSD_MINT = address('CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM');
/** PYUSD's decimals on Solana devnet. */
export const SOLANA_DEVNET_PYUSD_DECIMALS = 6;
/** SPL Token-2022 (Token Extensions), which litesvm loads beside SPL Token. */
export const TOKEN_2022_PROGRAM_ADDRESS = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');

/** The two token programs a devnet mint may belong to. */
export type SolanaTokenProgram = typeof TOKEN_PROGRAM_ADDRESS | typeof TOKEN_2022_PROGRAM_ADDRESS;

const MINT_SIZE = 82n;
const TOKEN_ACCOUNT_SIZE = 165n;
/** Token-2022 writes an account type byte after the base account (padded to 165 bytes) when it has extensions. */
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;
/** Token-2022's `ImmutableOwner` extension: the associated token account program gives it to every account. */
const IMMUTABLE_OWNER_EXTENSION = 7;

function isTokenProgram(program: string): program is SolanaTokenProgram {
  return program === TOKEN_PROGRAM_ADDRESS || program === TOKEN_2022_PROGRAM_ADDRESS;
}

/**
 * Whether `data` (owned by `program`) is a mint (`kind` 'mint': 82 bytes) or a token account ('account':
 * 165 bytes): that size, or a Token-2022 one with extensions, its type byte after the padded base account.
 */
function isTokenData(kind: 'mint' | 'account', program: SolanaTokenProgram, data: Uint8Array): boolean {
  const [size, accountType] =
    kind === 'mint' ? [MINT_SIZE, ACCOUNT_TYPE_MINT] : [TOKEN_ACCOUNT_SIZE, ACCOUNT_TYPE_ACCOUNT];
  if (BigInt(data.length) === size) return true;
  return (
    program === TOKEN_2022_PROGRAM_ADDRESS &&
    BigInt(data.length) > TOKEN_ACCOUNT_SIZE &&
    data[Number(TOKEN_ACCOUNT_SIZE)] === accountType
  );
}

/**
 * Writes an initialized mint of SPL Token (default) or Token-2022 (`tokenProgram`, no extensions) straight
 * into litesvm's accounts (any address, no keypair needed).
 *
 * @example
 * ```ts
 * placeMint(svm, { mint: SOLANA_DEVNET_USDC_MINT, decimals: 6, supply: 0n, mintAuthority: payer });
 * placeMint(svm, { mint: SOLANA_DEVNET_PYUSD_MINT, decimals: 6, supply: 0n, mintAuthority: payer, tokenProgram: TOKEN_2022_PROGRAM_ADDRESS });
 * ```
 */
export function placeMint(
  svm: LiteSVM,
  params: {
    mint: Address;
    decimals: number;
    supply: bigint;
    mintAuthority: Address;
    tokenProgram?: SolanaTokenProgram;
  },
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
    programAddress: params.tokenProgram ?? TOKEN_PROGRAM_ADDRESS,
    executable: false,
    data: new Uint8Array(data),
    space: MINT_SIZE,
  });
}

/**
 * `owner`'s associated token account of `mint` under the SPL Token program, or under `tokenProgram`.
 *
 * @example
 * ```ts
 * const ata = await associatedTokenAccount(SOLANA_DEVNET_USDC_MINT, payer);
 * const pyusd = await associatedTokenAccount(SOLANA_DEVNET_PYUSD_MINT, payer, TOKEN_2022_PROGRAM_ADDRESS);
 * ```
 */
export async function associatedTokenAccount(
  mint: Address,
  owner: Address,
  tokenProgram: SolanaTokenProgram = TOKEN_PROGRAM_ADDRESS,
): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ mint, owner, tokenProgram });
  return ata;
}

/**
 * Writes `owner`'s associated token account of `mint` holding `amount`; answers its address. Under
 * Token-2022 the account carries the `ImmutableOwner` extension, as the associated token account program
 * creates it (170 bytes).
 *
 * @example
 * ```ts
 * const ata = await placeTokenAccount(svm, { mint, owner: payer, amount: 1_000_000_000n });
 * ```
 */
export async function placeTokenAccount(
  svm: LiteSVM,
  params: { mint: Address; owner: Address; amount: bigint; tokenProgram?: SolanaTokenProgram },
): Promise<Address> {
  const tokenProgram = params.tokenProgram ?? TOKEN_PROGRAM_ADDRESS;
  const ata = await associatedTokenAccount(params.mint, params.owner, tokenProgram);
  const base = getTokenEncoder().encode({
    mint: params.mint,
    owner: params.owner,
    amount: params.amount,
    delegate: null,
    state: AccountState.Initialized,
    isNative: null,
    delegatedAmount: 0n,
    closeAuthority: null,
  });
  const data =
    tokenProgram === TOKEN_2022_PROGRAM_ADDRESS
      ? new Uint8Array([...base, ACCOUNT_TYPE_ACCOUNT, IMMUTABLE_OWNER_EXTENSION, 0, 0, 0])
      : new Uint8Array(base);
  const space = BigInt(data.length);
  svm.setAccount({
    address: ata,
    lamports: lamports(svm.minimumBalanceForRentExemption(space)),
    programAddress: tokenProgram,
    executable: false,
    data,
    space,
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

function decimalsOf(svm: LiteSVM, mint: Address, program: SolanaTokenProgram): number | undefined {
  const account = svm.getAccount(mint);
  if (!account.exists || account.programAddress !== program) return undefined;
  if (!isTokenData('mint', program, account.data)) return undefined;
  return getMintDecoder().decode(account.data.subarray(0, Number(MINT_SIZE))).decimals;
}

/**
 * The token account's balance, or `undefined` when `account` is not a token account of SPL Token or
 * Token-2022 (whose mint is of the same program).
 */
export function readTokenAccount(
  svm: LiteSVM,
  account: Address,
):
  | { mint: Address; owner: Address; amount: bigint; decimals: number; program: SolanaTokenProgram }
  | undefined {
  const stored = svm.getAccount(account);
  if (!stored.exists || !isTokenProgram(stored.programAddress)) return undefined;
  const program = stored.programAddress;
  if (!isTokenData('account', program, stored.data)) return undefined;
  const token = getTokenDecoder().decode(stored.data.subarray(0, Number(TOKEN_ACCOUNT_SIZE)));
  const decimals = decimalsOf(svm, token.mint, program);
  if (decimals === undefined) return undefined;
  return { mint: token.mint, owner: token.owner, amount: token.amount, decimals, program };
}

/** `jsonParsed`'s program name and, under Token-2022, the extensions list (the devnet writes only `immutableOwner`). */
function parsedProgram(program: SolanaTokenProgram): string {
  return program === TOKEN_2022_PROGRAM_ADDRESS ? 'spl-token-2022' : 'spl-token';
}

function tokenExtensions(program: SolanaTokenProgram, data: Uint8Array): { extensions?: unknown[] } {
  if (program !== TOKEN_2022_PROGRAM_ADDRESS || BigInt(data.length) <= TOKEN_ACCOUNT_SIZE) return {};
  const extensions: unknown[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = Number(TOKEN_ACCOUNT_SIZE) + 1; at + 4 <= data.length; ) {
    const type = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (type === IMMUTABLE_OWNER_EXTENSION) extensions.push({ extension: 'immutableOwner' });
    else if (type !== 0) extensions.push({ extension: 'unparseableExtension' });
    at += 4 + length;
  }
  return { extensions };
}

/**
 * The `jsonParsed` form of a mint or token account of SPL Token or Token-2022 (`{program, parsed: {type,
 * info}, space}`), or `undefined` for any other account (the RPC then falls back to base64, as Solana does).
 */
export function parseTokenAccountData(svm: LiteSVM, account: Address): Record<string, unknown> | undefined {
  const stored = svm.getAccount(account);
  if (!stored.exists || !isTokenProgram(stored.programAddress)) return undefined;
  const program = stored.programAddress;
  const space = stored.data.length;
  if (isTokenData('mint', program, stored.data)) {
    const mint = getMintDecoder().decode(stored.data.subarray(0, Number(MINT_SIZE)));
    const option = (value: { __option: 'Some'; value: Address } | { __option: 'None' }) =>
      value.__option === 'Some' ? value.value : null;
    return {
      program: parsedProgram(program),
      parsed: {
        type: 'mint',
        info: {
          decimals: mint.decimals,
          freezeAuthority: option(mint.freezeAuthority),
          isInitialized: mint.isInitialized,
          mintAuthority: option(mint.mintAuthority),
          supply: mint.supply.toString(),
          ...tokenExtensions(program, stored.data),
        },
      },
      space,
    };
  }
  const token = readTokenAccount(svm, account);
  if (!token) return undefined;
  return {
    program: parsedProgram(program),
    parsed: {
      type: 'account',
      info: {
        ...tokenExtensions(program, stored.data),
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
