// The Solana chain module against the local Solana devnet (litesvm behind a real JSON-RPC server):
// its config section and environment, address keys, the ledger identity of a payment, the started
// runtime's /supported, probes and balances, and reconciliation from signature statuses.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Base64EncodedWireTransaction,
  createSolanaRpc,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  type KeyPairSigner,
  partiallySignTransaction,
} from '@solana/kit';
import {
  type ChainLogEvent,
  type ChainRuntime,
  type ChainStartContext,
  createFacilitator,
  type FacilitatorCall,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeFacilitator,
} from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetAccount } from '@x402kit/devnet';
import { startSvmExactStack } from '@x402kit/testing/svm-exact';
import { createExactSvmClient } from '../exact/client.js';
import { SvmReasons } from '../reasons.js';
import { decodeSvmTransaction, transactionSignatureOf } from '../transaction.js';
import { SolanaConfigSchema, type SvmSections, solanaEnvOverrides } from './solana-config.js';
import { svmChain } from './svm-chain.js';

const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const MAINNET = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
let feePayer: KeyPairSigner;
let feePayerKey: string;
let runtime: ChainRuntime;
let requirements: PaymentRequirements;
const events: ChainLogEvent[] = [];

function context(sections: Partial<SvmSections>): ChainStartContext<SvmSections> {
  return {
    sections,
    privateKeys: [],
    settlement: {},
    openSponsorBudget: () => Promise.reject(new Error('Solana sponsors nothing')),
    log: (event) => events.push(event),
  };
}

function section(rpc: string[], keys = [feePayerKey]) {
  return SolanaConfigSchema.parse({ networks: { 'solana:devnet': { rpc } }, feePayerKeys: keys });
}

function issues(input: unknown): string[] {
  const parsed = SolanaConfigSchema.safeParse(input);
  assert.equal(parsed.success, false);
  return parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
}

async function payment(accepted = requirements): Promise<PaymentPayload> {
  const client = createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl });
  const { payload } = await client.createPaymentPayload(accepted, { x402Version: 2 });
  return { x402Version: 2, accepted, payload };
}

function call(payload: PaymentPayload, reqs = requirements): FacilitatorCall {
  const scheme = runtime.registrations[0]?.facilitator as SchemeFacilitator;
  return { x402Version: 2, payload, requirements: reqs, scheme };
}

/** Co-signs as the fee payer and sends without preflight, as a crashed instance would have. */
async function sendAsFeePayer(payload: PaymentPayload): Promise<string> {
  const decoded = decodeSvmTransaction(payload.payload.transaction);
  assert.ok(decoded);
  const signed = await partiallySignTransaction([feePayer.keyPair], decoded.transaction);
  await createSolanaRpc(devnet.rpcUrl)
    .sendTransaction(getBase64EncodedWireTransaction(signed) as Base64EncodedWireTransaction, {
      encoding: 'base64',
      skipPreflight: true,
    })
    .send();
  const signature = transactionSignatureOf(signed);
  assert.ok(signature);
  return signature;
}

before(async () => {
  ({ devnet, payer, feePayer, requirements } = await startSvmExactStack());
  feePayerKey = (await solanaDevnetAccount('feePayer')).secretKey;
  runtime = await svmChain.start(context({ solana: section([devnet.rpcUrl]) }));
});
after(async () => {
  runtime?.close();
  await devnet?.stop();
});

describe('svmChain config section', () => {
  test('keys networks by their CAIP-2 id, whatever the spelling', () => {
    const parsed = SolanaConfigSchema.parse({
      networks: {
        'solana:devnet': { rpc: ['https://api.devnet.solana.com'] },
        solana: { rpc: ['https://m.example'] },
      },
      feePayerKeys: [feePayerKey],
      maxComputeUnitPrice: '1000000',
    });
    assert.deepEqual(Object.keys(parsed.networks), [DEVNET, MAINNET]);
    assert.equal(parsed.maxComputeUnitPrice, 1_000_000n);
    assert.equal(svmChain.configured({ solana: parsed }), true);
    assert.equal(svmChain.configured({}), false);
  });

  test('refuses a non-Solana network, two spellings of one network and missing parts, with clear messages', () => {
    assert.deepEqual(
      issues({ networks: { 'eip155:84532': { rpc: ['http://x.example'] } }, feePayerKeys: [feePayerKey] }),
      [
        'networks.eip155:84532: is not a Solana network; use solana:<genesis hash prefix>, solana:devnet, solana:mainnet or a v1 name (solana-devnet)',
      ],
    );
    assert.deepEqual(
      issues({
        networks: { 'solana:devnet': { rpc: ['http://a.example'] }, [DEVNET]: { rpc: ['http://b.example'] } },
        feePayerKeys: [feePayerKey],
      }),
      [`networks.${DEVNET}: names the same network as solana:devnet; keep one`],
    );
    assert.deepEqual(issues({}), [
      'networks: give at least one Solana network ({ "solana:devnet": { rpc: [url] } }, or SOLANA_RPC_URL_DEVNET)',
      'feePayerKeys: give at least one fee payer key (or SOLANA_FEE_PAYER_KEYS)',
    ]);
    assert.deepEqual(issues({ networks: { 'solana:devnet': { rpc: [] } }, feePayerKeys: [feePayerKey] }), [
      'networks.solana:devnet.rpc: give at least one URL',
    ]);
  });

  test('checks fee payer keys without ever echoing them', () => {
    const swapped = feePayerKey.slice(0, -4) + (feePayerKey.endsWith('1111') ? '2222' : '1111');
    const bad = ['not-base58-0OIl', '3mJr7AoUXx2Wqd', swapped];
    const found = issues({
      networks: { 'solana:devnet': { rpc: ['http://a.example'] } },
      feePayerKeys: [...bad, feePayerKey, feePayerKey],
    });
    assert.equal(
      found[0],
      'feePayerKeys.0: must be base58 (the 64-byte secret key solana-keygen and wallets export)',
    );
    assert.match(
      found[1] ?? '',
      /^feePayerKeys\.1: must be a 64-byte secret key \(seed then public key\), got \d+ bytes$/,
    );
    assert.match(
      found[2] ?? '',
      /^feePayerKeys\.2: (its second half is not the public key|must be a 64-byte)/,
    );
    assert.equal(found[3], 'feePayerKeys.4: repeats feePayerKeys[3]');
    for (const text of found) for (const key of [...bad, feePayerKey]) assert.ok(!text.includes(key));
  });

  test('takes fee payer keys and devnet/mainnet RPC URLs from the environment, never a bare SOLANA_RPC_URL', () => {
    assert.deepEqual(
      solanaEnvOverrides({
        SOLANA_FEE_PAYER_KEYS: ' k1, k2 ,',
        SOLANA_FEE_PAYER_KEY: 'ignored',
        SOLANA_RPC_URL_DEVNET: 'https://a.example,https://b.example',
        SOLANA_RPC_URL: 'https://payer.example',
      }),
      {
        solana: {
          feePayerKeys: ['k1', 'k2'],
          networks: { 'solana:devnet': { rpc: ['https://a.example', 'https://b.example'] } },
        },
      },
    );
    assert.deepEqual(solanaEnvOverrides({ SOLANA_FEE_PAYER_KEY: 'k' }), { solana: { feePayerKeys: ['k'] } });
    assert.deepEqual(solanaEnvOverrides({ SOLANA_RPC_URL: 'https://payer.example' }), {});
    assert.equal(svmChain.envOverrides, solanaEnvOverrides);
  });
});

describe('svmChain addresses', () => {
  test('a base58 32-byte public key is its own key; EVM and TRON addresses are not Solana ones', () => {
    for (const address of [payer.address, devnet.usdc.address, '11111111111111111111111111111111']) {
      assert.equal(svmChain.addressKey(address), address);
      assert.equal(svmChain.ledgerAddress(address), address);
    }
    for (const other of [
      '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      '41a614f803b6fd780986a42c78ec9c7f77e6ded13c',
      `${payer.address}1`,
      '',
    ]) {
      assert.equal(svmChain.addressKey(other), undefined, other);
      assert.equal(svmChain.ledgerAddress(other), undefined, other);
    }
  });
});

describe('svmChain ledger identity', () => {
  test("a payment is keyed by the payer's signature: the same transaction twice is one key, another is another", async () => {
    const first = await payment();
    const key = svmChain.identify(call(first));
    const decoded = decodeSvmTransaction(first.payload.transaction);
    const payerIndex = decoded?.accounts.indexOf(payer.address) ?? -1;
    assert.ok(payerIndex > 0);
    const payerSignature = decoded?.signatures[payerIndex];
    assert.ok(payerSignature);
    assert.deepEqual(key, {
      network: DEVNET,
      asset: devnet.usdc.address,
      payer: payer.address,
      nonce: `solsig:${getBase58Decoder().decode(payerSignature)}`,
    });
    assert.deepEqual(svmChain.identify(call(structuredClone(first))), key);
    // the v1 name and the alias are the same network
    assert.deepEqual(svmChain.identify(call(first, { ...requirements, network: 'solana:devnet' })), key);
    assert.deepEqual(svmChain.identify(call(first, { ...requirements, network: 'solana-devnet' })), key);
    assert.notDeepEqual(svmChain.identify(call(await payment())), key);
  });

  test('answers nothing for another scheme, another chain, or a transaction without the payer signature', async () => {
    const paid = await payment();
    assert.equal(svmChain.identify(call(paid, { ...requirements, scheme: 'upto' })), undefined);
    assert.equal(svmChain.identify(call(paid, { ...requirements, network: 'eip155:84532' })), undefined);
    assert.equal(svmChain.identify(call({ ...paid, payload: { transaction: 'garbage' } })), undefined);
    const decoded = decodeSvmTransaction(paid.payload.transaction);
    assert.ok(decoded);
    const unsigned = Buffer.from(paid.payload.transaction as string, 'base64');
    const payerIndex = decoded.accounts.indexOf(payer.address);
    unsigned.fill(0, 1 + 64 * payerIndex, 1 + 64 * (payerIndex + 1));
    assert.equal(
      svmChain.identify(call({ ...paid, payload: { transaction: unsigned.toString('base64') } })),
      undefined,
    );
  });
});

describe('svmChain runtime', () => {
  test('serves exact on the configured network with the fee payers as signers and settlement addresses', async () => {
    assert.deepEqual(runtime.settlementAddresses, [feePayer.address]);
    assert.equal(runtime.sharedSettlementAddresses, true);
    const engine = createFacilitator({ schemes: runtime.registrations });
    const supported = await engine.supported();
    const kind = supported.kinds.find((k) => k.network === DEVNET && k.x402Version === 2);
    assert.deepEqual(kind, {
      x402Version: 2,
      scheme: 'exact',
      network: DEVNET,
      extra: { feePayer: feePayer.address },
    });
    assert.deepEqual(supported.signers['solana:*'], [feePayer.address]);
  });

  test('settles through the next RPC URL when the first cannot be reached, within the receipt timeout', async () => {
    const failover = await svmChain.start({
      ...context({ solana: section(['http://127.0.0.1:9', devnet.rpcUrl]) }),
      settlement: { receiptTimeoutMs: 5000, rpcTimeoutMs: 2000 },
    });
    const engine = createFacilitator({ schemes: failover.registrations });
    const paid = await payment();
    const before = await devnet.balances(devnet.accounts.payTo.address);
    const settled = await engine.settle(paid, requirements);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.deepEqual(devnet.chain.signatureStatus(settled.transaction)?.err, null);
    assert.equal((await devnet.balances(devnet.accounts.payTo.address)).USDC - before.USDC, 1000n);
  });

  test('probes each network: ok on its chain, the problem otherwise', async () => {
    assert.deepEqual(await runtime.probe(2000), { [DEVNET]: 'ok' });
    const dead = await svmChain.start(context({ solana: section(['http://127.0.0.1:9']) }));
    const [problem] = Object.values(await dead.probe(2000));
    assert.match(problem ?? '', /^error: /);
    const failover = await svmChain.start(
      context({ solana: section(['http://127.0.0.1:9', devnet.rpcUrl]) }),
    );
    assert.deepEqual(await failover.probe(2000), { [DEVNET]: 'ok' });
    const wrong = await svmChain.start(
      context({
        solana: SolanaConfigSchema.parse({
          networks: { 'solana:mainnet': { rpc: [devnet.rpcUrl] } },
          feePayerKeys: [feePayerKey],
        }),
      }),
    );
    assert.deepEqual(await wrong.probe(2000), { [MAINNET]: `error: RPC is on ${DEVNET}` });
  });

  test("reads the fee payers' lamports; a network that cannot be read is logged and skipped", async () => {
    const [reading] = await runtime.readBalances(2000);
    assert.deepEqual(reading, {
      network: DEVNET,
      address: feePayer.address,
      balance: (await devnet.balances(feePayer.address)).SOL,
      nonceLag: 0,
    });
    const dead = await svmChain.start(context({ solana: section(['http://127.0.0.1:9']) }));
    events.length = 0;
    assert.deepEqual(await dead.readBalances(2000), []);
    assert.equal(events[0]?.level, 'warn');
    assert.equal(events[0]?.message, 'relayer monitor: cannot read relayer balances');
    assert.equal(events[0]?.data?.network, DEVNET);
  });
});

describe('svmChain reconcile', () => {
  const reconcile = () => {
    assert.ok(runtime.reconcile);
    return runtime.reconcile;
  };
  const keyOf = (paid: PaymentPayload) => {
    const key = svmChain.identify(call(paid));
    assert.ok(key);
    return key;
  };
  const stored = (paid: PaymentPayload) => ({ x402Version: 2 as const, payload: paid, requirements });

  test('a transaction that landed is settled, from the recorded signature or the recomputed one', async () => {
    const paid = await payment();
    const signature = await sendAsFeePayer(paid);
    const settled = { success: true, transaction: signature, network: DEVNET, payer: payer.address };
    assert.deepEqual(await reconcile()(stored(paid), { key: keyOf(paid), transaction: signature }), settled);
    assert.deepEqual(await reconcile()(stored(paid), { key: keyOf(paid) }), settled);
  });

  test('a transaction that landed with an error is a final failure', async () => {
    const tooMuch = { ...requirements, amount: (10_000n * 10n ** 6n).toString() };
    const paid = await payment(tooMuch);
    const signature = await sendAsFeePayer(paid);
    assert.notEqual(devnet.chain.signatureStatus(signature)?.err, null);
    const found = await reconcile()(
      { x402Version: 2, payload: paid, requirements: tooMuch },
      { key: keyOf(paid), transaction: signature },
    );
    assert.equal(found?.success, false);
    assert.equal(found?.errorReason, SvmReasons.transactionFailed);
    assert.equal(found?.transaction, signature);
    assert.match(found?.errorMessage ?? '', /^failed on chain: /);
  });

  test('a transaction never sent is unknown while its blockhash is valid, and a final failure once it expired', async () => {
    const paid = await payment();
    const key = keyOf(paid);
    assert.equal(await reconcile()(stored(paid), { key }), undefined);
    for (let block = 0; block < 152; block++) devnet.chain.advance();
    const found = await reconcile()(stored(paid), { key });
    assert.equal(found?.success, false);
    assert.equal(found?.errorReason, SvmReasons.transactionExpired);
    assert.equal(found?.payer, payer.address);
    assert.match(
      found?.errorMessage ?? '',
      /never landed and its blockhash \S+ has expired .* sign a new payment$/,
    );
  });

  test('leaves other schemes and other chains alone', async () => {
    const paid = await payment();
    const key = keyOf(paid);
    assert.equal(
      await reconcile()({ ...stored(paid), requirements: { ...requirements, scheme: 'upto' } }, { key }),
      undefined,
    );
    assert.equal(await reconcile()(stored(paid), { key: { ...key, nonce: 'permit2:1' } }), undefined);
  });
});
