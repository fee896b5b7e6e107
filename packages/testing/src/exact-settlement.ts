/**
 * Signed `exact` EVM payments (EIP-3009) on a devnet, ready to POST to a facilitator's `/verify` or
 * `/settle`, for tests that drive a facilitator directly rather than through a paying client.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import { signExactEvmAuthorization } from '@x402kit/evm';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** A signed payment with its requirements and the request body that presents it. */
export type ExactSettlement = {
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  /** The JSON body of `/verify` and `/settle`. */
  body: string;
  /** The payer (`authorization.from`). */
  from: Hex;
};

/**
 * `exact` requirements for 1000 atomic units of the devnet's token, paid to its `payTo` account.
 *
 * @example
 * const requirements = devnetExactRequirements(devnet, { maxTimeoutSeconds: 301 })
 */
export function devnetExactRequirements(
  devnet: Pick<Devnet, 'network' | 'token' | 'accounts'>,
  overrides: Partial<PaymentRequirements> = {},
): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.token.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: { name: devnet.token.name, version: devnet.token.version },
    ...overrides,
  };
}

/**
 * Sign `requirements` with `privateKey` (a fresh nonce each call) for the resource at `resourceUrl`.
 *
 * @example
 * const { body } = await signExactSettlement(devnet.accounts.payer.privateKey, requirements, 'https://api.example/a')
 * await fetch(`${facilitatorUrl}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
 */
export async function signExactSettlement(
  privateKey: Hex,
  requirements: PaymentRequirements,
  resourceUrl: string,
): Promise<ExactSettlement> {
  const signed = await signExactEvmAuthorization(privateKeyToAccount(privateKey), requirements);
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: resourceUrl },
    accepted: requirements,
    payload: { signature: signed.signature, authorization: { ...signed.authorization } },
  };
  return {
    payload,
    requirements,
    body: settleRequestBody(payload, requirements),
    from: signed.authorization.from,
  };
}

/**
 * The JSON body of `/verify` and `/settle` for `payload` against `requirements`.
 *
 * @example settleRequestBody({ ...payment.payload, accepted: other }, other)
 */
export function settleRequestBody(payload: PaymentPayload, requirements: PaymentRequirements): string {
  return JSON.stringify({ x402Version: 2, paymentPayload: payload, paymentRequirements: requirements });
}

/** One `/settle` answer of {@link settleCopiesAtOnce}: which payment it presented, the status and the body. */
export type SettleCopyAnswer = {
  payment: number;
  status: number;
  success?: boolean;
  transaction?: string;
  errorReason?: string;
};

/**
 * POST every settle body in `bodies` `copies` times to `${url}/settle`, all at once; `attemptOf`
 * gives a payment's `x402-attempt` header (none when it returns `undefined`). The answers in the
 * order sent, each naming the index of its payment in `bodies`.
 *
 * @example
 * const answers = await settleCopiesAtOnce(lb.url, bodies, 4, (i) => (i % 2 === 0 ? `att_${i}` : undefined))
 */
export async function settleCopiesAtOnce(
  url: string,
  bodies: readonly string[],
  copies: number,
  attemptOf: (payment: number) => string | undefined = () => undefined,
): Promise<SettleCopyAnswer[]> {
  const calls = bodies.flatMap((body, payment) => Array.from({ length: copies }, () => ({ body, payment })));
  return Promise.all(
    calls.map(async ({ body, payment }) => {
      const attempt = attemptOf(payment);
      const res = await fetch(`${url}/settle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(attempt ? { 'x402-attempt': attempt } : {}) },
        body,
      });
      const json = (await res.json()) as Omit<SettleCopyAnswer, 'payment' | 'status'>;
      return { payment, status: res.status, ...json };
    }),
  );
}
