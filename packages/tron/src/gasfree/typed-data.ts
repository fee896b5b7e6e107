import {
  GASFREE_PERMIT_TRANSFER_TYPES,
  type GasFreePermitMessage,
  gasFreeControllerDomain,
} from '@x402kit/core';
import type { Address } from 'viem';
import { toEvmHex } from '../address.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';

/** TRON mainnet's chain id (the TIP-712 `chainId`). */
export const GASFREE_MAINNET_CHAIN_ID = 728126428;

/**
 * GasFree per TRON network: chain id, GasFreeController (Base58) and the official API base.
 *
 * @example
 * const { chainId, controller } = GASFREE_NETWORKS.nile;
 */
export const GASFREE_NETWORKS = {
  mainnet: {
    chainId: GASFREE_MAINNET_CHAIN_ID,
    controller: 'TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U',
    apiBaseUrl: 'https://open.gasfree.io/tron',
  },
  nile: {
    chainId: 3448148188,
    controller: 'THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc',
    apiBaseUrl: 'https://open-test.gasfree.io/nile',
  },
  shasta: {
    chainId: 2494104990,
    controller: 'TQghdCeVDA6CnuNVTUhfaAyPfTetqZWNpm',
    apiBaseUrl: 'https://open-test.gasfree.io/shasta',
  },
} as const;

/** The only permit version GasFree accepts. */
export const GASFREE_PERMIT_VERSION = 1n;

/**
 * The GasFree TIP-712 domain; `controller` in any TRON address form (Base58, `41…`, `0x…`).
 *
 * @example
 * gasFreeDomain({ chainId: 3448148188, controller: 'THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc' });
 * // { name: 'GasFreeController', version: 'V1.0.0', chainId: 3448148188, verifyingContract: '0x518688FB…' }
 */
export function gasFreeDomain({ chainId, controller }: { chainId: number; controller: string }) {
  return gasFreeControllerDomain(chainId, toEvmHex(controller));
}

/** A GasFree transfer authorization; addresses in any TRON form, amounts as bigint or decimal string/number. */
export interface GasFreePermitInput {
  token: string;
  serviceProvider: string;
  /** The user's main wallet (not the GasFree address). */
  user: string;
  receiver: string;
  value: bigint | string | number;
  maxFee: bigint | string | number;
  /** Unix seconds. */
  deadline: bigint | string | number;
  /** GasFree account nonce from the API. */
  nonce: bigint | string | number;
  /** Default 1. */
  version?: bigint | string | number;
}

/** {@link GasFreePermitInput} normalized for signing: 0x addresses, bigint numbers (its one home is core). */
export type { GasFreePermitMessage };

function uint(name: string, value: bigint | string | number): bigint {
  const ok =
    typeof value === 'bigint' ||
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^\d{1,78}$/.test(value));
  const parsed = ok ? BigInt(value) : -1n;
  if (parsed < 0n || parsed >= 2n ** 256n) {
    throw new GasFreeError(GasFreeReasons.invalidPermit, `${name} must be a uint256 (got ${String(value)})`);
  }
  return parsed;
}

function address(name: string, value: string): Address {
  try {
    return toEvmHex(value);
  } catch (error) {
    throw new GasFreeError(
      GasFreeReasons.invalidPermit,
      `${name} is not a TRON address: ${String(value)}`,
      {},
      error,
    );
  }
}

/**
 * Normalizes a permit for TIP-712 signing: every address to 20-byte 0x hex (TRON Base58 signed as-is gives
 * a wrong signer with viem), numbers to bigint, version 1 by default.
 *
 * @example
 * const message = gasFreePermitMessage({ token: 'TXYZ…', serviceProvider: 'TKtW…', user: 'TE2H…', receiver: 'TD5g…', value: 1_000_000n, maxFee: 100_000n, deadline: 1_700_000_600, nonce: 0 });
 */
export function gasFreePermitMessage(input: GasFreePermitInput): GasFreePermitMessage {
  return {
    token: address('token', input.token),
    serviceProvider: address('serviceProvider', input.serviceProvider),
    user: address('user', input.user),
    receiver: address('receiver', input.receiver),
    value: uint('value', input.value),
    maxFee: uint('maxFee', input.maxFee),
    deadline: uint('deadline', input.deadline),
    version: uint('version', input.version ?? GASFREE_PERMIT_VERSION),
    nonce: uint('nonce', input.nonce),
  };
}

/**
 * Domain, types, primary type and message of a GasFree permit, ready for viem's `signTypedData`,
 * `hashTypedData` or `recoverTypedDataAddress`.
 *
 * @example
 * const typed = gasFreeTypedData({ chainId: 3448148188, controller: GASFREE_NETWORKS.nile.controller, permit });
 * const signature = await account.signTypedData(typed);
 */
export function gasFreeTypedData(parameters: {
  chainId: number;
  controller: string;
  permit: GasFreePermitInput;
}) {
  return {
    domain: gasFreeDomain(parameters),
    types: GASFREE_PERMIT_TRANSFER_TYPES,
    primaryType: 'PermitTransfer',
    message: gasFreePermitMessage(parameters.permit),
  } as const;
}

/** Inputs of {@link gasFreeMaxFee}. */
export interface GasFreeMaxFeeParameters {
  /** The token's `transferFee` from the API (smallest unit). */
  transferFee: bigint;
  /** The token's `activateFee` from the API. */
  activateFee: bigint;
  /** Whether the GasFree account is already active. */
  active: boolean;
  /** A fee the facilitator quoted (`extra.fee.feeAmount`), if any. */
  quotedFee?: bigint;
  /** Token decimals, for the 1-whole-token fallback. */
  decimals: number;
}

/**
 * The `maxFee` to sign: `max(transferFee, quotedFee)`; if both are 0 and nothing was quoted, one whole token
 * (10^decimals); plus `activateFee` when the account is not active yet.
 *
 * @example
 * gasFreeMaxFee({ transferFee: 100_000n, activateFee: 1_000_000n, active: false, decimals: 6 }); // 1_100_000n
 */
export function gasFreeMaxFee(parameters: GasFreeMaxFeeParameters): bigint {
  const { transferFee, activateFee, active, quotedFee, decimals } = parameters;
  let fee = quotedFee !== undefined && quotedFee > transferFee ? quotedFee : transferFee;
  if (fee === 0n && quotedFee === undefined) fee = 10n ** BigInt(decimals);
  return active ? fee : fee + activateFee;
}

/** Inputs of {@link clampGasFreeDeadline}. */
export interface ClampGasFreeDeadlineParameters {
  /** TRON chain id: mainnet (728126428) allows up to now+595 s, testnets up to now+3595 s. */
  chainId: number;
  /** The deadline wanted (unix seconds), e.g. the payment's validBefore; absent means the maximum. */
  requested?: bigint | number;
  /** Unix seconds; default now. */
  now?: number;
}

/** Smallest distance (s) a deadline may have from now: provider minimum 50 s plus a 5 s margin. */
export const GASFREE_MIN_DEADLINE_SECONDS = 55;

/**
 * Clamps a permit deadline into the providers' window: `[now+55, now+595]` on mainnet, `[now+55, now+3595]` on
 * testnets (provider limits 50–600 s / 50–3600 s with 5 s margins). Above the window it is lowered; below it
 * throws `gasfree_deadline_too_short`.
 *
 * @example
 * clampGasFreeDeadline({ chainId: 728126428, requested: now + 3600, now }); // BigInt(now + 595)
 */
export function clampGasFreeDeadline(parameters: ClampGasFreeDeadlineParameters): bigint {
  const now = BigInt(parameters.now ?? Math.floor(Date.now() / 1000));
  const maxSeconds = parameters.chainId === GASFREE_MAINNET_CHAIN_ID ? 595n : 3595n;
  const min = now + BigInt(GASFREE_MIN_DEADLINE_SECONDS);
  const max = now + maxSeconds;
  const requested = parameters.requested === undefined ? max : BigInt(parameters.requested);
  if (requested < min) {
    throw new GasFreeError(
      GasFreeReasons.deadlineTooShort,
      `deadline ${requested} is ${requested - now} s from now; GasFree needs at least ${GASFREE_MIN_DEADLINE_SECONDS} s`,
    );
  }
  return requested > max ? max : requested;
}
