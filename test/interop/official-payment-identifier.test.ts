/**
 * `payment-identifier` interop with the official `@x402/extensions` 2.27: the official client,
 * extended with the official `appendPaymentIdentifierToExtensions`, pays our server (which requires
 * an id) through our idempotent facilitator; our declaration and our client's echo pass the
 * official validators, and the official declaration passes ours.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import {
  appendPaymentIdentifierToExtensions,
  declarePaymentIdentifierExtension,
  extractAndValidatePaymentIdentifier,
  isPaymentIdentifierExtension,
  validatePaymentIdentifier,
} from '@x402/extensions/payment-identifier';
import { wrapFetchWithPayment as officialWrapFetch } from '@x402/fetch';
import {
  appendPaymentIdentifier,
  checkPaymentIdentifier,
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  declarePaymentIdentifier,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierDeclaration,
  PaymentIdentifierEcho,
  readPaymentIdentifier,
} from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient, createExactEvmServer } from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createIdempotentFacilitator,
  createMemoryIdempotencyStore,
  type FacilitatorServer,
  startFacilitatorServer,
  withPaymentIdentifierStatus,
} from '@x402kit/facilitator';
import { type FetchLike, wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnet: Devnet;
let facilitatorServer: FacilitatorServer;
let close: () => void = () => {};
let api: Running | undefined;
let apiUrl = '';
const signatures: string[] = [];

describe('payment-identifier interop with @x402/extensions 2.27', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    const facilitator = createIdempotentFacilitator({
      facilitator: createEvmFacilitator({
        rpc: { [devnet.network]: devnet.rpcUrl },
        privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      }),
      store: createMemoryIdempotencyStore(),
    });
    close = facilitator.close;
    facilitatorServer = await startFacilitatorServer({
      service: withPaymentIdentifierStatus(createFacilitatorService({ facilitator })),
      port: 0,
    });
    const resourceServer = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: facilitatorServer.url }),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    });
    const app = express();
    app.use((req, _res, next) => {
      const signature = req.header('payment-signature');
      if (signature) signatures.push(signature);
      next();
    });
    app.use(
      paymentMiddleware(
        {
          'GET /weather': {
            accepts: devnetExactOffer(devnet),
            paymentIdentifier: { required: true },
          },
        },
        resourceServer,
      ),
    );
    app.get('/weather', (_req, res) => {
      res.json({ report: { weather: 'sunny' } });
    });
    api = await listenLocal(app);
    apiUrl = api.url;
  });
  after(async () => {
    await api?.close();
    await facilitatorServer?.close();
    close();
    await devnet?.stop();
  });

  it('the official client with the official append pays our server, which requires an id', async () => {
    const id = `pay_official_${Date.now()}_0001`;
    const client = new x402Client();
    registerExactEvmScheme(client, { signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex) });
    client.registerExtension({
      key: PAYMENT_IDENTIFIER,
      enrichPaymentPayload: async (payload) => ({
        ...payload,
        extensions: appendPaymentIdentifierToExtensions({ ...payload.extensions }, id),
      }),
    });
    const res = await officialWrapFetch(fetch, client)(`${apiUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
    const sent = decodePaymentSignatureHeader(signatures.at(-1) ?? '');
    assert.deepEqual(readPaymentIdentifier(sent), { present: true, valid: true, id });
  });

  it('our declaration and our echo pass the official validators; theirs pass ours', async () => {
    const unpaid = await fetch(`${apiUrl}/weather`);
    const pr = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version, 2);
    const declared = pr.x402Version === 2 ? pr.extensions?.[PAYMENT_IDENTIFIER] : undefined;
    assert.ok(isPaymentIdentifierExtension(declared));
    assert.deepEqual(declared, declarePaymentIdentifierExtension(true));
    assert.deepEqual(declarePaymentIdentifier({ required: true }), declarePaymentIdentifierExtension(true));

    const ours = createX402Client({
      schemes: [
        {
          network: 'eip155:*',
          client: createExactEvmClient({
            signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
          }),
        },
      ],
    });
    const payload = await ours.createPaymentPayload(pr);
    assert.equal(payload.x402Version, 2);
    if (payload.x402Version !== 2) return;
    assert.deepEqual(validatePaymentIdentifier(payload.extensions?.[PAYMENT_IDENTIFIER]), { valid: true });
    const extracted = extractAndValidatePaymentIdentifier(
      payload as Parameters<typeof extractAndValidatePaymentIdentifier>[0],
    );
    assert.equal(extracted.validation.valid, true);
    assert.match(extracted.id ?? '', /^pay_[0-9a-f]{32}$/);

    const theirs = { [PAYMENT_IDENTIFIER]: declarePaymentIdentifierExtension(false) };
    assert.ok(PaymentIdentifierDeclaration.safeParse(theirs[PAYMENT_IDENTIFIER]).success);
    const echoed = appendPaymentIdentifier(theirs, 'pay_ours_into_theirs_01');
    assert.ok(PaymentIdentifierEcho.safeParse(echoed?.[PAYMENT_IDENTIFIER]).success);
    assert.deepEqual(validatePaymentIdentifier(echoed?.[PAYMENT_IDENTIFIER]), { valid: true });
    const officialEcho = appendPaymentIdentifierToExtensions({ ...theirs });
    assert.equal(
      checkPaymentIdentifier(theirs[PAYMENT_IDENTIFIER], { ...payload, extensions: officialEcho }),
      undefined,
    );
  });

  it('our paying fetch pays our server with the id it is given', async () => {
    const id = `pay_ours_${Date.now()}_0002`;
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
    const pay = wrapFetchWithPayment(fetch as FetchLike, client, { paymentIdentifier: () => id });
    const res = await pay(`${apiUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(readPaymentIdentifier(decodePaymentSignatureHeader(signatures.at(-1) ?? '')), {
      present: true,
      valid: true,
      id,
    });
  });
});
