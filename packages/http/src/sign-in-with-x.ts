/**
 * Sign-in-with-x on the payment core: routes with `signInWithX` put a fresh challenge in every 402
 * they answer, remember who paid (on each successful settlement), and let a request carrying a
 * valid `SIGN-IN-WITH-X` proof from a payer of the route through without a payment. On the client,
 * {@link signInWithX} makes the paying fetch answer the challenge before it pays.
 */
import {
  type AnyPaymentRequired,
  authenticateSiwx,
  createMemorySiwxStore,
  createSiwxChallenge,
  createSiwxProof,
  decodePaymentRequiredHeader,
  type Emit,
  encodePaymentRequiredHeader,
  encodeSiwxHeader,
  HeaderNames,
  SIGN_IN_WITH_X,
  SIWX_HEADER,
  type SiwxDeclaration,
  type SiwxRefusal,
  type SiwxSigner,
  type SiwxStore,
  type SiwxVerifiers,
} from '@x402kit/core';
import type { OnPaymentRequired } from './fetch.js';
import type { PaymentResult } from './payment-flow.js';
import type { PaymentRequestInput } from './request-context.js';
import type { RouteLookup } from './route-table.js';

/** The payment handler's `signInWithX` option. */
export type SignInWithXOptions = {
  /**
   * Signature checks by CAIP-2 namespace: `eip155` from `createEvmSiwxVerifier()` (`@x402kit/evm`:
   * EOAs, and smart wallets through EIP-1271/6492 when given a chain client), `solana` from
   * `verifySolanaSiwx` (`@x402kit/core`).
   */
  verifiers: SiwxVerifiers;
  /** Payers per resource and used nonces; default in this process's memory. */
  store?: SiwxStore;
  /**
   * The public origin proofs must name (`https://api.example.com`); default the request URL's
   * origin. Set it behind a proxy that rewrites the host.
   */
  origin?: string;
  /** How long a challenge may be signed and used, in seconds; default 300. */
  expirationSeconds?: number;
};

/** The SIWX part of one payment handler. */
export type SiwxGate = {
  readonly store: SiwxStore;
  /** One request on a protected route; `next` runs the payment flow. */
  process(
    found: Extract<RouteLookup, { type: 'protected' }>,
    input: PaymentRequestInput,
    next: () => Promise<PaymentResult>,
  ): Promise<PaymentResult>;
};

/**
 * The SIWX gate of a payment handler (`createPaymentHandler({ signInWithX })` builds it).
 *
 * @example
 * const gate = createSiwxGate({ verifiers: { eip155: createEvmSiwxVerifier() } }, emit)
 */
export function createSiwxGate(options: SignInWithXOptions, emit: Emit): SiwxGate {
  const store = options.store ?? createMemorySiwxStore();
  return {
    store,
    async process(found, input, next) {
      const declared = found.route.config.signInWithX;
      if (!declared) return next();
      const origin = options.origin ?? new URL(input.url).origin;
      const header = input.header('sign-in-with-x');
      let refusal: SiwxRefusal | undefined;
      if (header !== undefined) {
        const decision = await authenticateSiwx(header, {
          origin,
          path: found.path,
          verifiers: options.verifiers,
          store,
        });
        if (decision.ok) {
          emit(
            'info',
            `sign-in-with-x: ${decision.address} paid for ${found.path} before; no payment asked`,
            {
              route: found.route.key,
            },
          );
          return { type: 'unprotected' };
        }
        refusal = decision;
        emit('info', `sign-in-with-x refused (${decision.reason}): ${decision.message}`, {
          route: found.route.key,
        });
      }
      const result = await next();
      const settlement = result.type === 'unprotected' ? undefined : result.settlement;
      if (settlement?.success && settlement.payer) await store.recordPayment(found.path, settlement.payer);
      if (result.type !== 'reply' || result.reply.status !== 402) return result;
      const encoded = result.reply.headers[HeaderNames.paymentRequired];
      if (encoded === undefined) return result;
      const paymentRequired = decodePaymentRequiredHeader(encoded);
      if (paymentRequired.x402Version !== 2) return result;
      const statement = typeof declared === 'object' ? declared.statement : undefined;
      const challenge = createSiwxChallenge({
        origin,
        path: found.path,
        networks:
          (typeof declared === 'object' ? declared.networks : undefined) ??
          paymentRequired.accepts.map((offer) => offer.network),
        ...(statement ? { statement } : {}),
        ...(options.expirationSeconds !== undefined ? { expirationSeconds: options.expirationSeconds } : {}),
      });
      const amended: AnyPaymentRequired = {
        ...paymentRequired,
        ...(refusal ? { error: `sign-in-with-x refused (${refusal.reason}): ${refusal.message}` } : {}),
        extensions: { ...paymentRequired.extensions, [SIGN_IN_WITH_X]: challenge },
      };
      return {
        ...result,
        reply: {
          ...result.reply,
          headers: {
            ...result.reply.headers,
            [HeaderNames.paymentRequired]: encodePaymentRequiredHeader(amended),
          },
        },
      };
    },
  };
}

/**
 * An `onPaymentRequired` hook for `wrapFetchWithPayment`: when a 402 carries a SIWX challenge that
 * one of `signers` can answer (a chain of its type, bound to the URL that answered), retry once with
 * the signed proof; a server that remembers the wallet's payment answers without a payment, any
 * other answer lets the payment proceed.
 *
 * @example
 * const pay = wrapFetchWithPayment(fetch, client, { onPaymentRequired: signInWithX(evmSiwxSigner(account)) })
 */
export function signInWithX(...signers: SiwxSigner[]): OnPaymentRequired {
  return async ({ paymentRequired, request }) => {
    if (paymentRequired.x402Version !== 2) return undefined;
    const declared = paymentRequired.extensions?.[SIGN_IN_WITH_X] as SiwxDeclaration | undefined;
    if (!declared?.info || !Array.isArray(declared.supportedChains)) return undefined;
    for (const signer of signers) {
      try {
        const proof = await createSiwxProof(declared, signer, request.url);
        if (proof) return { headers: { [SIWX_HEADER]: encodeSiwxHeader(proof) } };
      } catch {
        // a challenge bound elsewhere or a signer that fails: pay instead
      }
    }
    return undefined;
  };
}
