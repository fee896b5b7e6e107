/**
 * The `payment-identifier` extension end to end on a real chain: our Express server requires an
 * id, our facilitator service (PostgreSQL ledger, idempotency store in the same database, 409 on
 * conflict) settles. The same id with the same payment is answered from the store (one transfer);
 * the same id with another payment is a 409, at the facilitator and at the resource server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  PaymentIdentifierReasons,
  SettleResponse,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { createEvmFacilitator, type EvmFacilitator, identifyExactEvm } from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createIdempotentFacilitator,
  createLedgerHooks,
  createPostgresIdempotencyStore,
  createPostgresLedger,
  type FacilitatorServer,
  type IdempotencyStore,
  type PaymentLedger,
  startFacilitatorServer,
  withPaymentIdentifierStatus,
} from '@x402kit/facilitator';
import { type FetchLike, wrapFetchWithPayment } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { startOurPaidApi } from '@x402kit/testing/ours';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const schema = freshSchemaName('payment_identifier_e2e');
let pgUrl = '';
let devnet: Devnet;
let ledger: PaymentLedger;
let store: IdempotencyStore;
let facilitator: EvmFacilitator;
let facilitatorServer: FacilitatorServer;
let api: Running | undefined;
let apiUrl = '';
let handlerRuns = 0;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

function payingFetch(id: string, signatures: string[]) {
  const client = createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({
          signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
        }),
      },
    ],
  });
  const observed: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const signature = request.headers.get('payment-signature');
    if (signature) signatures.push(signature);
    return fetch(request);
  };
  return wrapFetchWithPayment(observed, client, { paymentIdentifier: () => id });
}

describe('payment-identifier end to end (our server, our facilitator, PostgreSQL, anvil)', () => {
  before(async () => {
    pgUrl = await testPostgresUrl();
    devnet = await startDevnet({ port: 0 });
    const network = devnet.network;
    ledger = await createPostgresLedger({ url: pgUrl, schema });
    store = await createPostgresIdempotencyStore({ url: pgUrl, schema });
    facilitator = createIdempotentFacilitator({
      facilitator: createEvmFacilitator({
        rpc: { [network]: devnet.rpcUrl },
        privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
        hooks: createLedgerHooks({ ledger, identify: identifyExactEvm, instanceId: 'pid-e2e' }),
      }),
      store,
      instanceId: 'pid-e2e',
    });
    facilitatorServer = await startFacilitatorServer({
      service: withPaymentIdentifierStatus(createFacilitatorService({ facilitator })),
      port: 0,
    });
    api = await startOurPaidApi({
      facilitatorUrl: facilitatorServer.url,
      routes: {
        'GET /report': {
          accepts: { scheme: 'exact', network, payTo: devnet.accounts.payTo.address, price: '$0.001' },
          paymentIdentifier: { required: true },
        },
      },
      serve(app) {
        app.get('/report', (_req, res) => {
          handlerRuns++;
          res.json({ report: 'quarterly' });
        });
      },
    });
    apiUrl = api.url;
  });
  after(async () => {
    await api?.close();
    await facilitatorServer?.close();
    facilitator?.close();
    await store?.close();
    await ledger?.close();
    await devnet?.stop();
    if (pgUrl) await dropSchema(pgUrl, schema);
  });

  it('same id and payload: the stored response, one execution, one transfer; same id, other payload: 409', async () => {
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];
    const id = `pay_e2e_${Date.now()}_retry_after_crash`;
    const signatures: string[] = [];

    const first = await payingFetch(id, signatures)(`${apiUrl}/report`);
    assert.equal(first.status, 200, await first.clone().text());
    const receipt = decodePaymentResponseHeader(first.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);

    // the agent "crashed" and presents the very same payment again
    const again = await fetch(`${apiUrl}/report`, { headers: { 'PAYMENT-SIGNATURE': signatures[0] ?? '' } });
    assert.equal(again.status, 200, await again.clone().text());
    assert.deepEqual(await again.json(), { report: 'quarterly' });
    assert.deepEqual(decodePaymentResponseHeader(again.headers.get('payment-response') ?? ''), receipt);

    // the server delivered its stored response: the handler ran once for the two requests
    assert.equal(handlerRuns, 1, 'one payment, one execution');

    // the facilitator never hands the outcome to another caller: the id proves nothing
    const payload = decodePaymentSignatureHeader(signatures[0] ?? '');
    const settleBody = (p: unknown) =>
      JSON.stringify({
        x402Version: 2,
        paymentPayload: p,
        paymentRequirements: payload.x402Version === 2 ? payload.accepted : undefined,
      });
    const direct = await fetch(`${facilitatorServer.url}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: settleBody(payload),
    });
    assert.equal(direct.status, 200);
    const duplicate = SettleResponse.parse(await direct.json());
    assert.equal(duplicate.success, false);
    assert.equal(duplicate.errorReason, 'duplicate_settlement');
    assert.equal(duplicate.transaction, receipt.transaction);

    assert.equal(await balance(payer), p0 - 1000n, 'one transfer');
    assert.equal(await balance(payTo), t0 + 1000n);

    // a new signature under the same id: a conflict
    const conflict = await payingFetch(id, signatures)(`${apiUrl}/report`);
    assert.equal(conflict.status, 409);
    assert.ok(!(await conflict.text()).includes('quarterly'));
    const other = decodePaymentSignatureHeader(signatures[1] ?? '');
    const refused = await fetch(`${facilitatorServer.url}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: settleBody(other),
    });
    assert.equal(refused.status, 409);
    assert.equal(SettleResponse.parse(await refused.json()).errorReason, PaymentIdentifierReasons.conflict);
    assert.equal(await balance(payer), p0 - 1000n, 'still one transfer');

    // no id at all: 400, nothing charged
    const { extensions: _dropped, ...bare } = payload.x402Version === 2 ? payload : { extensions: undefined };
    const unidentified = await fetch(`${apiUrl}/report`, {
      headers: { 'PAYMENT-SIGNATURE': Buffer.from(JSON.stringify(bare)).toString('base64') },
    });
    assert.equal(unidentified.status, 400);
  });
});
