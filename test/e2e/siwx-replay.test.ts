/**
 * Sign-in-with-x under attack, on the devnet with real servers: the payer pays once (a real
 * settlement records it), then ONE signed proof is presented 20 times at once, spread over two
 * instances of the API that share one nonce store (behind one public origin): exactly one request
 * gets in, the 19 others are refused with `invalid_siwx_nonce` in their 402, and the handler ran
 * once. A nonce store capped at 3 forgets its oldest nonces under a stream of sign-ins, and a
 * forgotten proof presented again is still refused, while a fresh one gets in.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createMemorySiwxStore,
  createSiwxProof,
  createX402Client,
  decodePaymentRequiredHeader,
  encodeSiwxHeader,
  evmSiwxSigner,
  SIGN_IN_WITH_X,
  SIWX_HEADER,
  type SiwxDeclaration,
  type SiwxStore,
} from '@x402kit/core';
import { type Devnet, readTokenBalance } from '@x402kit/devnet';
import { createEvmSiwxVerifier, createExactEvmClient } from '@x402kit/evm';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { hookDevnetWithOurFacilitator, startOurPaidApi } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** The public origin both instances answer for (a proxy in front of them would rewrite the host). */
const ORIGIN = 'http://api.example.test';

let devnet: Devnet;
let facilitator: Running;
const running: Running[] = [];
let runs = 0;

/** An instance of the API: `/article` paid, sign-in-with-x on, over `store`. */
async function startApi(store: SiwxStore): Promise<Running> {
  const api = await startOurPaidApi({
    facilitatorUrl: facilitator.url,
    routes: {
      'GET /article': {
        accepts: {
          scheme: 'exact',
          network: devnet.network,
          payTo: devnet.accounts.payTo.address,
          price: '$0.001',
        },
        signInWithX: true,
      },
    },
    options: { signInWithX: { verifiers: { eip155: createEvmSiwxVerifier() }, store, origin: ORIGIN } },
    serve(app) {
      app.get('/article', (_req, res) => {
        runs++;
        res.json({ article: 'the full text' });
      });
    },
  });
  running.push(api);
  return api;
}

const payer = () => privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);

/** Pay `/article` of `api` once with our paying fetch: the settlement records the payer. */
async function payOnce(api: Running): Promise<void> {
  const client = createX402Client({
    schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: payer() }) }],
  });
  const res = await wrapFetchWithPayment(fetch, client)(`${api.url}/article`);
  assert.equal(res.status, 200, await res.text());
  assert.equal(getPaymentResponse(res)?.success, true);
}

/** A proof of the payer for a fresh challenge of `api`. */
async function freshProof(api: Running): Promise<string> {
  const res = await fetch(`${api.url}/article`);
  assert.equal(res.status, 402);
  const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  const declared = required.x402Version === 2 ? required.extensions?.[SIGN_IN_WITH_X] : undefined;
  assert.ok(declared, 'the 402 carries a sign-in challenge');
  const proof = await createSiwxProof(
    declared as SiwxDeclaration,
    evmSiwxSigner(payer()),
    `${ORIGIN}/article`,
  );
  assert.ok(proof);
  return encodeSiwxHeader(proof);
}

/** Present `proof` to `api`: 200, or the 402's error. */
async function present(api: Running, proof: string): Promise<{ status: number; error: string }> {
  const res = await fetch(`${api.url}/article`, { headers: { [SIWX_HEADER]: proof } });
  if (res.status === 200) {
    assert.deepEqual(await res.json(), { article: 'the full text' });
    assert.equal(res.headers.get('payment-response'), null, 'signed in: no payment');
    return { status: 200, error: '' };
  }
  const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  return { status: res.status, error: required.x402Version === 2 ? (required.error ?? '') : '' };
}

describe('sign-in-with-x under attack: one proof, one sign-in; a forgotten nonce never replays', () => {
  hookDevnetWithOurFacilitator((started) => ({ devnet, facilitator } = started));
  after(async () => {
    for (const api of running) await api.close();
  });

  it('20 concurrent presentations of one proof over two instances: exactly one gets in', async () => {
    const store = createMemorySiwxStore();
    const instances = [await startApi(store), await startApi(store)];
    await payOnce(instances[0] as Running);
    const balance = () =>
      readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    const paid = await balance();
    const proof = await freshProof(instances[1] as Running);
    const before = runs;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => present(instances[i % 2] as Running, proof)),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 1, JSON.stringify(answers));
    const refused = answers.filter((a) => a.status !== 200);
    assert.equal(refused.length, 19);
    for (const answer of refused) {
      assert.equal(answer.status, 402);
      assert.match(answer.error, /invalid_siwx_nonce/, 'the refusal names its reason');
    }
    assert.equal(runs, before + 1, 'one proof, one handler run');
    assert.equal(await balance(), paid, 'nothing paid by signing in');
  });

  it('a nonce store capped at 3: a forgotten proof presented again is refused, a fresh one gets in', async () => {
    const api = await startApi(createMemorySiwxStore({ maxNonces: 3 }));
    await payOnce(api);
    const first = await freshProof(api);
    assert.equal((await present(api, first)).status, 200);
    // three more sign-ins: the store holds 3, the first nonce (expiring first) is forgotten
    const later: string[] = [];
    for (let i = 0; i < 3; i++) {
      const proof = await freshProof(api);
      later.push(proof);
      assert.equal((await present(api, proof)).status, 200, `sign-in ${i + 2}`);
    }
    const before = runs;
    const replay = await present(api, first);
    assert.equal(replay.status, 402, 'the forgotten nonce must not be replayable');
    assert.match(replay.error, /invalid_siwx_nonce/);
    for (const proof of later) assert.match((await present(api, proof)).error, /invalid_siwx_nonce/);
    assert.equal(runs, before, 'no replay ran the handler');
    assert.equal((await present(api, await freshProof(api))).status, 200, 'a fresh proof still gets in');
  });
});
