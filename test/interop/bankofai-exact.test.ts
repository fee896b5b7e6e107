/**
 * Interop with BofAI's `@bankofai/x402` 0.5.8 `exact` (EIP-3009) EVM client: `X402Client` +
 * `X402FetchClient` + `ExactEvmClientMechanism` pay our server + facilitator on a BSC-testnet
 * devnet. BofAI's client puts the authorization in `extensions.transferAuthorization` (not in
 * `payload.authorization`) and signs without `0x`; our facilitator reads both shapes.
 * The token is our EIP-3009 token placed at DHLU's address, with the EIP-712 domain BofAI's
 * registry uses for it ("DA HULU", version "1").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EvmSigner } from '@bankofai/agent-wallet';
import { EvmClientSigner, ExactEvmClientMechanism, X402Client, X402FetchClient } from '@bankofai/x402';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentRequiredHeader,
  Reasons,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { createEvmFacilitator, type EvmFacilitator, identifyExactEvm } from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createLedgerHooks,
  createSqliteLedger,
  type PaymentLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { getPaymentResponse } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';
import { getAddress, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const DHLU = getAddress('0x375cADdd2cB68cE82e3D9B075D551067a7b4B816');
const PRICE = 10_000n; // 0.01 DHLU (6 decimals)

function bofaiSigner(key: Hex): EvmClientSigner {
  const signer = new EvmClientSigner(new EvmSigner(hexToBytes(key)));
  signer.setAddress(privateKeyToAccount(key).address);
  return signer;
}

describe('BofAI exact (EIP-3009) client paying our server + facilitator (devnet chain 97)', () => {
  let devnet: Devnet;
  let engine: EvmFacilitator;
  let ledger: PaymentLedger;
  let closeFacilitator: () => Promise<void>;
  let server: Running | undefined;
  let serverUrl: string;

  before(async () => {
    devnet = await startDevnet({
      port: 0,
      chainId: 97,
      token: { address: DHLU, name: 'DA HULU', version: '1', symbol: 'DHLU', decimals: 6 },
    });
    ledger = await createSqliteLedger({ path: ':memory:' });
    engine = createEvmFacilitator({
      rpc: { 'eip155:97': devnet.rpcUrl },
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      hooks: createLedgerHooks({ ledger, identify: identifyExactEvm, instanceId: 'bofai-interop' }),
    });
    const facilitatorServer = await startFacilitatorServer({
      service: createFacilitatorService({ facilitator: engine }),
      port: 0,
    });
    closeFacilitator = () => facilitatorServer.close();
    const resourceServer = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: facilitatorServer.url }),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    });
    const app = express();
    app.use(
      paymentMiddleware(
        {
          // BofAI's 0.5.8 client signs validBefore = now + 3600 whatever the offer says, and our
          // facilitator refuses an authorization valid longer than maxTimeoutSeconds + 30 s: a route
          // for these clients offers an hour, as BofAI's own servers do (valid_for 3600)
          'GET /weather': {
            accepts: {
              scheme: 'exact',
              network: 'eip155:97',
              payTo: devnet.accounts.payTo.address,
              price: { amount: PRICE.toString(), asset: DHLU, extra: { name: 'DA HULU', version: '1' } },
              maxTimeoutSeconds: 3600,
            },
          },
          'GET /weather-5min': {
            accepts: {
              scheme: 'exact',
              network: 'eip155:97',
              payTo: devnet.accounts.payTo.address,
              price: { amount: PRICE.toString(), asset: DHLU, extra: { name: 'DA HULU', version: '1' } },
            },
          },
        },
        resourceServer,
      ),
    );
    app.get('/weather', (_req, res) => {
      res.json({ weather: 'sunny' });
    });
    app.get('/weather-5min', (_req, res) => {
      res.json({ weather: 'sunny' });
    });
    server = await listenLocal(app);
    serverUrl = server.url;
  });

  after(async () => {
    await server?.close();
    await closeFacilitator?.();
    engine?.close();
    await ledger?.close();
    await devnet?.stop();
  });

  it('pays; balances move by the price and the ledger knows the payment', async () => {
    const payer = devnet.accounts.payer;
    const payTo = devnet.accounts.payTo.address;
    const balance = (a: string) => readTokenBalance(devnet.rpcUrl, DHLU, getAddress(a));
    const [p0, t0] = [await balance(payer.address), await balance(payTo)];
    const client = new X402Client().register(
      'eip155:*',
      new ExactEvmClientMechanism(bofaiSigner(payer.privateKey as Hex)),
    );
    const res = await new X402FetchClient(client).get(`${serverUrl}/weather`);
    const refusal = res.headers.get('payment-required') ?? res.headers.get('payment-response');
    const why = refusal ? Buffer.from(refusal, 'base64').toString('utf8') : await res.clone().text();
    assert.equal(res.status, 200, why);
    assert.deepEqual(await res.json(), { weather: 'sunny' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success, JSON.stringify(receipt));
    assert.equal(await balance(payer.address), p0 - PRICE);
    assert.equal(await balance(payTo), t0 + PRICE);
    const recorded = await ledger.findByTransaction(receipt.transaction);
    assert.equal(recorded?.state, 'settled');
    assert.equal(recorded?.key.payer, payer.address.toLowerCase());
  });

  it('is refused, nothing moving, by a route offering 300 s: its hour-long authorization is too far', async () => {
    const payer = devnet.accounts.payer;
    const balance = (a: string) => readTokenBalance(devnet.rpcUrl, DHLU, getAddress(a));
    const p0 = await balance(payer.address);
    const client = new X402Client().register(
      'eip155:*',
      new ExactEvmClientMechanism(bofaiSigner(payer.privateKey as Hex)),
    );
    const res = await new X402FetchClient(client).get(`${serverUrl}/weather-5min`);
    assert.equal(res.status, 402);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(required.error, Reasons.exactEvmValidBeforeTooFar);
    assert.equal(await balance(payer.address), p0);
  });
});
