/**
 * Read-only payment queries over the ledger, as a Web-standard handler the service mounts:
 *
 * - `GET /payments/tx/:hash`: the payment a settlement transaction belongs to (404 when unknown);
 * - `GET /payments?network=&payer=&nonce=&limit=`: payments matching the filter, newest first
 *   (at least one of network, payer, nonce is required).
 *
 * Answers are JSON. The owner instance is not disclosed. Mount it behind the service's
 * authentication: it reveals who paid whom.
 */
import { canonicalNetwork } from '@x402kit/core';
import type { PaymentLedger, PaymentRecord } from './payment-ledger.js';

/** Options of `createLedgerHttpHandler`. */
export type LedgerHttpHandlerOptions = {
  ledger: PaymentLedger;
  /** Path prefix of the routes; default `/payments`. */
  basePath?: string;
  /** The ledger's form of a `payer` query (the chain modules' `ledgerAddress`); default as given. */
  ledgerAddress?: (address: string) => string | undefined;
};

/** A payment as the HTTP API shows it. */
export type PaymentView = {
  network: string;
  asset: string;
  payer: string;
  nonce: string;
  state: PaymentRecord['state'];
  transaction: string | null;
  outcome: PaymentRecord['outcome'] | null;
  payloadHash: string;
  createdAt: string;
  updatedAt: string;
};

/** Answers a request for one of the ledger routes, or `undefined` when the path is not one of them. */
export type LedgerHttpHandler = (request: Request) => Promise<Response | undefined>;

const MAX_PARAM_LENGTH = 256;

/**
 * Create the handler.
 *
 * @example
 * const payments = createLedgerHttpHandler({ ledger })
 * const response = (await payments(request)) ?? (await service.fetch(request))
 */
export function createLedgerHttpHandler(options: LedgerHttpHandlerOptions): LedgerHttpHandler {
  const { ledger } = options;
  const base = (options.basePath ?? '/payments').replace(/\/+$/, '');
  const txPrefix = `${base}/tx/`;

  return async function ledgerHttpHandler(request) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path !== base && !path.startsWith(txPrefix)) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return json(
        405,
        { error: 'method_not_allowed', message: `use GET on ${path}` },
        { allow: 'GET, HEAD' },
      );
    }
    try {
      if (path.startsWith(txPrefix)) {
        const hash = decodeURIComponent(path.slice(txPrefix.length));
        if (!hash || hash.length > MAX_PARAM_LENGTH || hash.includes('/')) {
          return json(400, { error: 'invalid_request', message: 'expected /payments/tx/<transaction hash>' });
        }
        const record = await ledger.findByTransaction(hash);
        if (!record) {
          return json(404, { error: 'payment_not_found', message: `no payment was settled by ${hash}` });
        }
        return json(200, { payment: toPaymentView(record) });
      }
      const networkParam = param(url, 'network');
      const network = networkParam === undefined ? undefined : canonicalNetwork(networkParam);
      const payerParam = param(url, 'payer');
      // a chain may key payers in another form than people hold (a Base58 address by its 20-byte body)
      const payer =
        payerParam === undefined ? undefined : (options.ledgerAddress?.(payerParam) ?? payerParam);
      const nonce = param(url, 'nonce');
      const limitText = param(url, 'limit');
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (network === undefined && payer === undefined && nonce === undefined) {
        return json(400, { error: 'invalid_request', message: 'give at least one of network, payer, nonce' });
      }
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        return json(400, { error: 'invalid_request', message: 'limit must be a positive integer' });
      }
      const records = await ledger.list({
        ...(network === undefined ? {} : { network }),
        ...(payer === undefined ? {} : { payer }),
        ...(nonce === undefined ? {} : { nonce }),
        ...(limit === undefined ? {} : { limit }),
      });
      return json(200, { payments: records.map(toPaymentView) });
    } catch (error) {
      if (error instanceof URIError) {
        return json(400, { error: 'invalid_request', message: 'malformed percent-encoding in the path' });
      }
      return json(503, {
        error: 'ledger_unavailable',
        message: 'the payment ledger cannot be read right now',
      });
    }
  };
}

/**
 * The public view of a record (no owner instance), timestamps as ISO-8601.
 *
 * @example toPaymentView(record) // { network, asset, payer, nonce, state: 'settled', transaction: '0x…', ... }
 */
export function toPaymentView(record: PaymentRecord): PaymentView {
  return {
    ...record.key,
    state: record.state,
    transaction: record.transaction ?? null,
    outcome: record.outcome ?? null,
    payloadHash: record.payloadHash,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  if (!value) return undefined;
  return value.slice(0, MAX_PARAM_LENGTH);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}
