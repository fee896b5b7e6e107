import type { Hex } from 'viem';
import { encodeDeployData } from 'viem';
import { ANVIL_FUNDED_ACCOUNTS, devnetAccount } from '../accounts.js';
import type { DevnetClient } from '../devnet-client.js';
import { DevnetSetupError } from '../errors.js';
import { tronUsdtTokenArtifact } from '../generated/contracts.js';
import { mintWith } from '../mint-with.js';
import { placePaymentPermit } from '../payment-permit.js';
import { placeErc20Token } from '../place-erc20-token.js';
import { placeRuntimeCode } from '../runtime-code.js';
import { tronAddressToBase58, tronAddressToEvm, tronAddressToHex } from './tron-address.js';
import { NILE_PAYMENT_PERMIT_ADDRESS, NILE_USDD_ADDRESS, NILE_USDT_ADDRESS } from './tron-nile.js';

/** A well-known devnet account in TRON forms. Public keys: never use them on a real network. */
export interface TronDevnetAccount {
  /** Index in the anvil mnemonic (see `devnetAccount`). */
  readonly index: number;
  /** Base58Check (`T…`). */
  readonly address: string;
  /** `41…` hex. */
  readonly hex: string;
  /** The same 20 bytes as an EVM address. */
  readonly evmAddress: Hex;
  /** 64 hex characters without `0x` (TronWeb's form). */
  readonly privateKey: string;
}

/** A TRC-20 on the TRON devnet. */
export interface TronDevnetAsset {
  readonly symbol: string;
  readonly name: string;
  readonly decimals: number;
  /** Base58Check. */
  readonly address: string;
  /** Whether `transfer`/`transferFrom` return a bool (TRON USDT: false). */
  readonly returnsBool: boolean;
}

/**
 * A TRON account's forms for a devnet key index.
 *
 * @example
 * ```ts
 * tronDevnetAccount(1).address; // 'TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'
 * ```
 */
export function tronDevnetAccount(index: number): TronDevnetAccount {
  const account = devnetAccount(index);
  const hex = tronAddressToHex(account.address);
  return {
    index,
    address: tronAddressToBase58(hex),
    hex,
    evmAddress: account.address,
    privateKey: account.privateKey.slice(2),
  };
}

/** Nile USDT as the devnet places it: 6 decimals, transfers return no bool. */
export const USDT: TronDevnetAsset = {
  symbol: 'USDT',
  name: 'Tether USD',
  decimals: 6,
  address: NILE_USDT_ADDRESS,
  returnsBool: false,
};
/** Nile USDD as the devnet places it: a plain ERC-20 with 18 decimals. */
export const USDD: TronDevnetAsset = {
  symbol: 'USDD',
  name: 'Decentralized USD',
  decimals: 18,
  address: NILE_USDD_ADDRESS,
  returnsBool: true,
};

async function placeTronUsdt(client: DevnetClient, owner: Hex): Promise<void> {
  const address = tronAddressToEvm(USDT.address);
  const creationCode = encodeDeployData({
    abi: tronUsdtTokenArtifact.abi,
    bytecode: tronUsdtTokenArtifact.bytecode,
    args: [owner],
  });
  await placeRuntimeCode(client, { creationCode, address, step: 'token.USDT' });
  const abi = tronUsdtTokenArtifact.abi;
  const [name, symbol, decimals] = await Promise.all([
    client.readContract({ address, abi, functionName: 'name' }),
    client.readContract({ address, abi, functionName: 'symbol' }),
    client.readContract({ address, abi, functionName: 'decimals' }),
  ]);
  if (name !== USDT.name || symbol !== USDT.symbol || decimals !== USDT.decimals) {
    throw new DevnetSetupError(
      'token.USDT',
      `the token at ${USDT.address} reads ${name}/${symbol}/${decimals}`,
    );
  }
}

/**
 * Places PaymentPermit, USDT and USDD at their Nile addresses (with a zero base fee, so gas costs nothing) and
 * mints `fundTokensWith` whole tokens of each to the ten well-known accounts, which it returns.
 */
export async function placeTronAssets(
  client: DevnetClient,
  { owner, mineNow, fundTokensWith }: { owner: Hex; mineNow: boolean; fundTokensWith: bigint },
): Promise<TronDevnetAccount[]> {
  // Gas costs nothing: the node burns TRX for energy itself (gas price 0 needs a zero base fee).
  await client.setNextBlockBaseFeePerGas({ baseFeePerGas: 0n });
  await placePaymentPermit(client, tronAddressToEvm(NILE_PAYMENT_PERMIT_ADDRESS));
  await placeTronUsdt(client, owner);
  await placeErc20Token(client, {
    token: {
      kind: 'erc20',
      address: tronAddressToEvm(USDD.address),
      name: USDD.name,
      symbol: USDD.symbol,
      decimals: USDD.decimals,
      returnsBool: true,
    },
    owner,
    mineNow,
  });
  const allAccounts = Array.from({ length: ANVIL_FUNDED_ACCOUNTS }, (_, i) => tronDevnetAccount(i));
  for (const asset of [USDT, USDD]) {
    const amount = fundTokensWith * 10n ** BigInt(asset.decimals);
    if (amount === 0n) continue;
    for (const account of allAccounts) {
      await mintWith(client, {
        token: tronAddressToEvm(asset.address),
        owner,
        to: account.evmAddress,
        amount,
        mineNow,
      });
    }
  }
  return allAccounts;
}
