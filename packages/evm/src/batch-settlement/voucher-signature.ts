/**
 * The voucher signature check of the request path. Recovering a signer costs a full ECDSA recovery per
 * voucher; a channel's vouchers all come from one payer authorizer, so its public key is recovered once,
 * kept with precomputed multiples, and each later voucher is checked by plain verification against it:
 * about three times faster. Acceptance is exactly what the escrow's `ecrecover` will accept when the
 * voucher is claimed: r and s in range, s in the lower half (no malleable twin), and the recovery bit
 * matching, so a voucher taken here can always be claimed.
 */
import { invert } from '@noble/curves/abstract/modular';
import { secp256k1 } from '@noble/curves/secp256k1';
import { type Address, type Hex, hexToBigInt, isAddressEqual, recoverPublicKey } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';

type Point = InstanceType<typeof secp256k1.ProjectivePoint>;
const N = secp256k1.CURVE.n;
const HALF_N = N >> 1n;

/** Checks that an EIP-712 digest is signed by an address (see the module comment). */
export type VoucherSignatureCheck = (digest: Hex, signature: Hex, signer: Address) => Promise<boolean>;

/**
 * Create a check that remembers up to `maxKeys` signers' public keys (least recently added forgotten first).
 *
 * @example
 * const isSignedBy = createVoucherSignatureCheck()
 * if (!(await isSignedBy(digest, voucher.signature, config.payerAuthorizer))) refuse()
 */
export function createVoucherSignatureCheck(maxKeys = 10_000): VoucherSignatureCheck {
  const keys = new Map<string, Point>();
  return async (digest, signature, signer) => {
    const parts = splitSignature(signature);
    if (!parts) return false;
    const known = keys.get(signer.toLowerCase());
    if (known) return verifyWith(known, parts, hexToBigInt(digest));
    let publicKey: Hex;
    try {
      publicKey = await recoverPublicKey({ hash: digest, signature });
    } catch {
      return false;
    }
    if (!isAddressEqual(publicKeyToAddress(publicKey), signer)) return false;
    const point = secp256k1.ProjectivePoint.fromHex(publicKey.slice(2));
    point._setWindowSize(8);
    if (keys.size >= maxKeys) keys.delete(keys.keys().next().value as string);
    keys.set(signer.toLowerCase(), point);
    return true;
  };
}

type SignatureParts = { r: bigint; s: bigint; yParity: number };

/** r, s and the recovery bit of a 65-byte (r, s, v) or 64-byte (EIP-2098) signature; undefined when unusable. */
function splitSignature(signature: Hex): SignatureParts | undefined {
  if (!/^0x[0-9a-fA-F]{128}([0-9a-fA-F]{2})?$/.test(signature)) return undefined;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  let s = BigInt(`0x${signature.slice(66, 130)}`);
  let yParity: number;
  if (signature.length === 132) {
    const v = Number.parseInt(signature.slice(130), 16);
    if (v !== 27 && v !== 28 && v !== 0 && v !== 1) return undefined;
    yParity = v >= 27 ? v - 27 : v;
  } else {
    yParity = Number(s >> 255n);
    s &= (1n << 255n) - 1n;
  }
  if (r === 0n || r >= N || s === 0n || s > HALF_N) return undefined;
  return { r, s, yParity };
}

/** ECDSA verification against a known key, with the recovery bit the contract's ecrecover will use. */
function verifyWith(key: Point, { r, s, yParity }: SignatureParts, hash: bigint): boolean {
  const w = invert(s, N);
  const u1 = ((hash % N) * w) % N;
  const u2 = (r * w) % N;
  const point = secp256k1.ProjectivePoint.BASE.multiplyAndAddUnsafe(key, u1, u2);
  if (!point) return false;
  const { x, y } = point.toAffine();
  return x === r && Number(y & 1n) === yParity;
}
