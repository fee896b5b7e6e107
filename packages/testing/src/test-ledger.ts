/**
 * TEST SCHEME, NOT A REAL PAYMENT METHOD. "test-ledger" lets the HTTP layer's tests run the
 * real core engines (client, resource server, facilitator) without a chain: a payment is an
 * HMAC over the offer's terms under a shared secret, and settling records it in memory and
 * returns a fake transaction id. Lives in the private @x402kit/testing, never in a published package.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  type PaymentRequirements,
  parsePrice,
  registerNetwork,
  type SchemeClient,
  type SchemeFacilitator,
  type SchemeServer,
  type SettleResponse,
  type VerifyResponse,
} from '@x402kit/core';

/** Scheme name of the test ledger. */
export const TEST_SCHEME = 'test-ledger';
/** CAIP-2 id of the in-memory test network (registered with the core registry on import). */
export const TEST_NETWORK = 'test:ledger';
/** Its x402 v1 name. */
export const TEST_NETWORK_V1 = 'test-ledger';
/** The test network's only asset: 6 decimals, so `"$0.01"` is `10000`. */
export const TEST_ASSET = 'TUSD';

/**
 * Register an in-memory test network with the core registry, carrying the test asset: the test
 * network itself, or one the test facilitator does not serve, or one without a v1 name.
 *
 * @example registerTestNetwork('test:unserved', 'not served')
 */
export function registerTestNetwork(id: string, name: string, v1Name?: string): void {
  registerNetwork({
    id,
    name,
    ...(v1Name === undefined ? {} : { v1Name }),
    testnet: true,
    assets: [{ address: TEST_ASSET, symbol: 'TUSD', decimals: 6, transferMethod: 'eip3009' }],
  });
}

registerTestNetwork(TEST_NETWORK, 'Test Ledger (in-memory, tests only)', TEST_NETWORK_V1);

/** One settled test payment. */
export type TestSettlement = {
  payer: string;
  payTo: string;
  amount: string;
  nonce: string;
  transaction: string;
};

/** The three roles of the test scheme plus its in-memory state. */
export type TestLedger = {
  client(payer?: string): SchemeClient;
  server: SchemeServer;
  facilitator: SchemeFacilitator;
  settlements: TestSettlement[];
  calls: { verify: number; settle: number };
  /** Make every verify answer `isValid:false` with this reason until cleared. */
  failVerifyWith: string | undefined;
  /** Make every settle answer `success:false` with this reason until cleared. */
  failSettleWith: string | undefined;
};

/**
 * Create a test ledger (tests only).
 *
 * @example
 * const ledger = createTestLedger();
 * const facilitator = createFacilitator({ schemes: [{ networks: TEST_NETWORK, facilitator: ledger.facilitator }] });
 */
export function createTestLedger(options: { secret?: string } = {}): TestLedger {
  const keys: LedgerKeys = { secret: options.secret ?? 'test-ledger-secret', used: new Set<string>() };
  const ledger: TestLedger = {
    settlements: [],
    calls: { verify: 0, settle: 0 },
    failVerifyWith: undefined,
    failSettleWith: undefined,
    client: (payer = 'test-payer') => testLedgerClient(keys.secret, payer),
    server: {
      scheme: TEST_SCHEME,
      parsePrice: (price, network) => parsePrice(price, network),
      enhanceRequirements: (requirements, ctx) =>
        ctx.supportedKind?.extra
          ? { ...requirements, extra: { ...requirements.extra, ...ctx.supportedKind.extra } }
          : requirements,
    },
    facilitator: {
      scheme: TEST_SCHEME,
      family: 'test:*',
      getExtra: () => ({ ledger: 'main' }),
      getSigners: () => ['test-facilitator'],
      async verify(payload, requirements) {
        ledger.calls.verify++;
        if (ledger.failVerifyWith) return { isValid: false, invalidReason: ledger.failVerifyWith };
        return check(keys, payload.payload, requirements, true);
      },
      settle: async (payload, requirements) => settle(ledger, keys, payload.payload, requirements),
    },
  };
  return ledger;
}

/** The ledger's secret and the nonces it has settled. */
type LedgerKeys = { secret: string; used: Set<string> };

/** A paying client of `payer`: each payment is a fresh nonce signed over the offer's terms. */
function testLedgerClient(secret: string, payer: string): SchemeClient {
  return {
    scheme: TEST_SCHEME,
    async createPaymentPayload(requirements) {
      const nonce = randomBytes(16).toString('hex');
      return {
        payload: {
          payer,
          nonce,
          maxAmount: requirements.amount,
          signature: sign(secret, requirements, requirements.amount, nonce, payer),
        },
      };
    },
  };
}

function sign(
  secret: string,
  r: PaymentRequirements,
  maxAmount: string,
  nonce: string,
  payer: string,
): string {
  return createHmac('sha256', secret)
    .update(JSON.stringify([r.scheme, r.network, r.asset, r.payTo, maxAmount, nonce, payer]))
    .digest('hex');
}

function read(payload: Record<string, unknown>) {
  const { payer, nonce, maxAmount, signature } = payload;
  if (
    typeof payer !== 'string' ||
    typeof nonce !== 'string' ||
    typeof maxAmount !== 'string' ||
    typeof signature !== 'string'
  ) {
    return undefined;
  }
  return { payer, nonce, maxAmount, signature };
}

function check(
  keys: LedgerKeys,
  payload: Record<string, unknown>,
  requirements: PaymentRequirements,
  exactAmount: boolean,
): VerifyResponse {
  const p = read(payload);
  if (!p)
    return {
      isValid: false,
      invalidReason: 'invalid_payload',
      invalidMessage: 'test-ledger payload is malformed',
    };
  if (exactAmount ? p.maxAmount !== requirements.amount : BigInt(requirements.amount) > BigInt(p.maxAmount)) {
    return { isValid: false, invalidReason: 'invalid_test_ledger_amount', payer: p.payer };
  }
  if (sign(keys.secret, requirements, p.maxAmount, p.nonce, p.payer) !== p.signature) {
    return { isValid: false, invalidReason: 'invalid_test_ledger_signature', payer: p.payer };
  }
  if (keys.used.has(p.nonce))
    return { isValid: false, invalidReason: 'invalid_test_ledger_nonce_used', payer: p.payer };
  return { isValid: true, payer: p.payer };
}

/** Settle a payment: record it in `ledger.settlements` and spend its nonce, unless it fails a check. */
function settle(
  ledger: TestLedger,
  keys: LedgerKeys,
  payload: Record<string, unknown>,
  requirements: PaymentRequirements,
): SettleResponse {
  ledger.calls.settle++;
  const fail = (errorReason: string, payer?: string): SettleResponse => ({
    success: false,
    errorReason,
    transaction: '',
    network: requirements.network,
    ...(payer ? { payer } : {}),
  });
  if (ledger.failSettleWith) return fail(ledger.failSettleWith);
  const verdict = check(keys, payload, requirements, false);
  const p = read(payload);
  if (!verdict.isValid || !p) return fail(verdict.invalidReason ?? 'invalid_payload', verdict.payer);
  keys.used.add(p.nonce);
  const transaction = `0xtest${String(ledger.settlements.length + 1).padStart(4, '0')}`;
  ledger.settlements.push({
    payer: p.payer,
    payTo: requirements.payTo,
    amount: requirements.amount,
    nonce: p.nonce,
    transaction,
  });
  return {
    success: true,
    transaction,
    network: requirements.network,
    payer: p.payer,
    amount: requirements.amount,
  };
}
