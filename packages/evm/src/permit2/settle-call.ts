/**
 * Calldata of the proxies' `settle` / `settleWithPermit`, shared by simulation and settlement.
 */
import { X402Error } from '@x402kit/core';
import { encodeFunctionData, getAddress, type Hex, parseErc6492Signature } from 'viem';
import { exactPermit2ProxyAbi, uptoPermit2ProxyAbi } from './constants.js';
import { Permit2Reasons } from './reasons.js';
import type { Permit2Payload } from './typed-data.js';

/** An EIP-2612 permit to run before the transfer (`eip2612GasSponsoring`). */
export type Permit2612 = { value: bigint; deadline: bigint; signature: Hex };

/**
 * `settle(...)` or, with `permit2612`, `settleWithPermit(...)` of the `exact` proxy, or of the
 * `upto` proxy when `amount` is given (the amount to transfer, ≤ permitted).
 *
 * @example
 * const data = encodePermit2SettleCall(payload)                  // exact, 0x13cd3b53
 * const data = encodePermit2SettleCall(payload, { amount: 4000n }) // upto, 0xff11e7b4
 */
export function encodePermit2SettleCall(
  payload: Permit2Payload,
  options: { amount?: bigint; permit2612?: Permit2612 } = {},
): Hex {
  const auth = payload.permit2Authorization;
  const { signature } = parseErc6492Signature(payload.signature);
  const permit = {
    permitted: { token: getAddress(auth.permitted.token), amount: BigInt(auth.permitted.amount) },
    nonce: BigInt(auth.nonce),
    deadline: BigInt(auth.deadline),
  };
  const owner = getAddress(auth.from);
  const permit2612 = options.permit2612 ? splitPermit2612(options.permit2612) : undefined;
  if (options.amount !== undefined) {
    const witness = {
      to: getAddress(auth.witness.to),
      facilitator: getAddress(auth.witness.facilitator ?? '0x0000000000000000000000000000000000000000'),
      validAfter: BigInt(auth.witness.validAfter),
    };
    return permit2612
      ? encodeFunctionData({
          abi: uptoPermit2ProxyAbi,
          functionName: 'settleWithPermit',
          args: [permit2612, permit, options.amount, owner, witness, signature],
        })
      : encodeFunctionData({
          abi: uptoPermit2ProxyAbi,
          functionName: 'settle',
          args: [permit, options.amount, owner, witness, signature],
        });
  }
  const witness = { to: getAddress(auth.witness.to), validAfter: BigInt(auth.witness.validAfter) };
  return permit2612
    ? encodeFunctionData({
        abi: exactPermit2ProxyAbi,
        functionName: 'settleWithPermit',
        args: [permit2612, permit, owner, witness, signature],
      })
    : encodeFunctionData({
        abi: exactPermit2ProxyAbi,
        functionName: 'settle',
        args: [permit, owner, witness, signature],
      });
}

function splitPermit2612(p: Permit2612) {
  const sig = p.signature.slice(2);
  if (sig.length !== 130)
    throw new X402Error(
      Permit2Reasons.eip2612InvalidFormat,
      `EIP-2612 signature must be 65 bytes, got ${sig.length / 2}`,
    );
  const v = Number.parseInt(sig.slice(128, 130), 16);
  return {
    value: p.value,
    deadline: p.deadline,
    r: `0x${sig.slice(0, 64)}` as const,
    s: `0x${sig.slice(64, 128)}` as const,
    v: v < 27 ? v + 27 : v,
  };
}
