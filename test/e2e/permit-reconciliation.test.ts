/**
 * Money that moved is never reported as not moved, for the nonce-based EVM schemes (Permit2 `exact`
 * and `upto`, `exact_permit`), on a real chain (anvil at BSC testnet's chain id, Permit2, both x402
 * proxies and PaymentPermit at their canonical addresses) with the deployed facilitator
 * (`createFacilitatorApp`: SQLite ledger, ledger hooks, the reconcilers it wires, the sweep):
 *
 * - crash window: an instance settles a payment and dies before recording the hash (its claim
 *   stays `claimed` without a transaction); a retry of the same attempt on a live instance gets
 *   success with the landed hash, not a nonce failure, and the ledger stores it `settled`;
 * - front-run: someone else submits the payer's Permit2 authorization first; our settle meets the
 *   used nonce, finds the front-runner's transfer and answers it as the settlement (the payee was
 *   paid), and the ledger stores `settled` with that hash;
 * - a nonce used without a transfer that carries the authorization (the payer invalidated it; a
 *   lookalike transfer of the same amount exists) stays unknown, never failed;
 * - a recorded hash that never landed: the sweep leaves the row `pending` while the authorization
 *   may still settle, and stores `failed` once its deadline passed unused by the chain's clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createFacilitator,
  encodeStoredPayment,
  type Facilitator,
  type FacilitatorHooks,
  normalizePaymentKey,
  type PaymentKey,
  type PaymentPayload,
  type PaymentRequirements,
} from '@x402kit/core';
import { createDevnetClient, devnetAccount, type MultiDevnet, startDevnets } from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmFacilitator,
  createExactPermitEvmFacilitator,
  createPaymentPermitContext,
  createUptoEvmFacilitator,
  encodePermit2SettleCall,
  PERMIT2_ADDRESS,
  readPermit2Payload,
  signExactPermit,
  signPermit2Authorization,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
} from '@x402kit/evm';
import { createPermit2Reconciler } from '@x402kit/evm/chain-module';
import {
  createFacilitatorApp,
  createLedgerHooks,
  type FacilitatorApp,
  parseServiceConfig,
} from '@x402kit/facilitator';
import { CHAINS, identifyPayment } from '@x402kit/testing/chains';
import { approvePaymentPermit, BSC_TESTNET_USDT as USDT } from '@x402kit/testing/exact-permit-evm';
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  parseAbi,
  parseAbiItem,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const NETWORK = 'eip155:97';
const FEE_TO = getAddress('0x000000000000000000000000000000000000fee1');
const FEE = '100';
const CLAIM_LEASE_MS = 200;
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const permit2Abi = parseAbi(['function invalidateUnorderedNonces(uint256 wordPos, uint256 mask)']);

/** The instance that dies after its transaction left: its key is also a caller the live instance knows. */
const dyingKey = devnetAccount(6);
const liveKey = devnetAccount(7);
const frontRunner = devnetAccount(8);

let devnet: MultiDevnet;
let rpcUrl: string;
let token: Address;
let app: FacilitatorApp;
let dying: Facilitator;
/** `upto` is not served by the deployed app: a live engine with the app's ledger and the Permit2 reconciler. */
let liveUpto: Facilitator;
const closers: Array<() => void> = [];
const dir = mkdtempSync(join(tmpdir(), 'x402kit-permit-reconciliation-'));

type Payment = { payload: PaymentPayload; requirements: PaymentRequirements; key: PaymentKey };

const chain = () => createPublicClient({ transport: http(rpcUrl) });

async function send(key: Hex, to: Address, data: Hex): Promise<Hex> {
  const { chain: viemChain } = devnet.getChain(97);
  const client = createDevnetClient(viemChain);
  const hash = await client.sendTransaction({
    account: privateKeyToAccount(key),
    to,
    data,
    chain: viemChain,
  });
  const receipt = await chain().waitForTransactionReceipt({ hash, pollingInterval: 20 });
  assert.equal(receipt.status, 'success', `transaction ${hash} reverted`);
  return hash;
}

/** A Permit2 payment of 1000 units of the chain's USDC to payTo, signed by the payer. */
async function permit2Payment(kind: 'exact' | 'upto', maxTimeoutSeconds = 300): Promise<Payment> {
  const offer: PaymentRequirements = {
    scheme: kind,
    network: NETWORK,
    amount: '1000',
    asset: token,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds,
    extra: {
      name: devnet.getChain(97).token.name,
      version: devnet.getChain(97).token.version,
      assetTransferMethod: 'permit2',
      ...(kind === 'upto' ? { facilitatorAddress: dyingKey.address } : {}),
    },
  };
  const signed = await signPermit2Authorization(
    privateKeyToAccount(devnet.accounts.payer.privateKey),
    offer,
    {
      kind,
    },
  );
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: `https://api.example/${kind}/${randomUUID()}` },
    accepted: offer,
    payload: { signature: signed.signature, permit2Authorization: { ...signed.permit2Authorization } },
  };
  // upto charges what the handler used: 400 of the permitted 1000
  const requirements = kind === 'upto' ? { ...offer, amount: '400' } : offer;
  // the ledger's key (identifyPayment of the chain modules): Permit2 nonces in their own space
  const key = normalizePaymentKey({
    network: NETWORK,
    asset: token,
    payer: devnet.accounts.payer.address,
    nonce: `permit2:${BigInt(signed.permit2Authorization.nonce)}`,
  });
  return { payload, requirements, key };
}

/** An `exact_permit` payment of 0.01 USDT to payTo, `caller` the dying instance's key. */
async function exactPermitPayment(): Promise<Payment> {
  const requirements: PaymentRequirements = {
    scheme: 'exact_permit',
    network: NETWORK,
    amount: (10n ** 16n).toString(),
    asset: USDT,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: {
      name: 'Tether USD',
      version: '1',
      fee: { feeTo: FEE_TO, feeAmount: FEE, caller: dyingKey.address },
    },
  };
  const signed = await signExactPermit(privateKeyToAccount(devnet.accounts.payer.privateKey), requirements, {
    paymentPermitContext: createPaymentPermitContext(),
  });
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: `https://api.example/permit/${randomUUID()}` },
    accepted: requirements,
    payload: { signature: signed.signature, paymentPermit: signed.paymentPermit },
  };
  const key = normalizePaymentKey({
    network: NETWORK,
    asset: USDT,
    payer: devnet.accounts.payer.address,
    nonce: `paymentpermit:${BigInt(signed.paymentPermit.meta.nonce)}`,
  });
  return { payload, requirements, key };
}

/** Hooks of an instance that dies after its transaction left: it claims, sends, and records nothing. */
function dyingHooks(): FacilitatorHooks {
  const hooks = createLedgerHooks({
    ledger: app.ledger,
    identify: identifyPayment,
    instanceId: 'dies-after-send',
    claimLeaseMs: 3_600_000, // its heartbeat never comes: the claim goes quiet
  });
  return { ...hooks, onBroadcast: async () => {}, afterSettle: async () => {} };
}

async function transfersOf(payment: Payment) {
  return chain().getLogs({
    address: getAddress(payment.requirements.asset),
    event: transferEvent,
    args: { from: devnet.accounts.payer.address, to: devnet.accounts.payTo.address },
    fromBlock: 0n,
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The crash window: the dying instance settles; a retry of its attempt on `live` gets the landed hash. */
async function crashWindow(payment: Payment, live: Facilitator) {
  const attempt = `crash-${randomUUID()}`;
  const sent = await dying.settle(payment.payload, payment.requirements, { attempt });
  assert.equal(sent.success, true, `the dying instance's settlement landed: ${JSON.stringify(sent)}`);
  const claimed = await app.ledger.get(payment.key);
  assert.equal(claimed?.state, 'claimed');
  assert.equal(claimed?.transaction, undefined, 'the dead instance recorded no hash');

  await pause(CLAIM_LEASE_MS + 50);
  const retried = await live.settle(payment.payload, payment.requirements, { attempt });
  assert.equal(retried.success, true, `the retry gets the settlement: ${JSON.stringify(retried)}`);
  assert.equal(retried.transaction, sent.transaction, 'with the hash that landed');
  const stored = await app.ledger.get(payment.key);
  assert.equal(stored?.state, 'settled');
  assert.equal(stored?.transaction, sent.transaction);
  const moved = (await transfersOf(payment)).filter((t) => t.transactionHash === sent.transaction);
  assert.equal(moved.length, 1, 'one transfer to the payee');
  return { sent, retried };
}

/** The Permit2 authorization of a payment, as read by the scheme. */
function permit2Authorization(payment: Payment) {
  const read = readPermit2Payload(payment.payload.payload, {
    requireFacilitator: payment.requirements.scheme === 'upto',
  });
  assert.ok(read.ok);
  return read.payload.permit2Authorization;
}

/** Someone else calls the exact proxy with the payer's authorization first; the hash of that call. */
async function frontRun(payment: Payment): Promise<Hex> {
  const read = readPermit2Payload(payment.payload.payload);
  assert.ok(read.ok);
  return send(
    frontRunner.privateKey as Hex,
    X402_EXACT_PERMIT2_PROXY_ADDRESS,
    encodePermit2SettleCall(read.payload),
  );
}

/** A `pending` row whose recorded hash never reached a node. */
async function pendingWithMadeUpHash(payment: Payment): Promise<Hex> {
  const hash = `0x${randomUUID().replaceAll('-', '').padEnd(64, 'd')}` as Hex;
  const claimed = await app.ledger.claim(payment.key, {
    payloadHash: 'made-up',
    owner: 'gone',
    payment: encodeStoredPayment({ x402Version: 2, ...payment }),
  });
  assert.ok(claimed.claimed);
  assert.ok(await app.ledger.recordBroadcast(payment.key, 'gone', hash));
  await app.ledger.complete(payment.key, 'pending', {
    success: false,
    errorReason: 'settlement_pending',
    transaction: hash,
    network: NETWORK,
    payer: devnet.accounts.payer.address,
  });
  return hash;
}

describe('reconciling Permit2 and exact_permit payments whose outcome the ledger does not know', () => {
  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 97 }] });
    rpcUrl = devnet.getChain(97).rpcUrl;
    token = devnet.getChain(97).token.address;
    const payerKey = devnet.accounts.payer.privateKey as Hex;
    const approval = buildPermit2Approval({ token });
    await send(payerKey, approval.to, approval.data);
    const config = parseServiceConfig(
      {
        networks: { [NETWORK]: { rpc: [rpcUrl] } },
        signers: { privateKeys: [liveKey.privateKey, dyingKey.privateKey] },
        ledger: { sqlite: { path: join(dir, 'ledger.db') } },
        instanceId: 'live',
        fees: { [NETWORK]: { [USDT]: { feeTo: FEE_TO, amount: FEE } } },
        settlement: { claimLeaseMs: CLAIM_LEASE_MS },
        reconciler: { leaseMs: 100, quietMs: 100 },
        monitoring: { intervalMs: 60_000 },
      },
      { chains: CHAINS },
    );
    app = await createFacilitatorApp(config, { log: () => {}, autoStart: false });
    const common = {
      networks: { [NETWORK]: { rpcUrl } },
      signers: [dyingKey.privateKey],
      pollingIntervalMs: 20,
    };
    const exact = createExactEvmFacilitator(common);
    const upto = createUptoEvmFacilitator(common);
    const permit = createExactPermitEvmFacilitator({
      networks: { [NETWORK]: { rpcUrl } },
      signers: [dyingKey.privateKey],
      fees: { [NETWORK]: { [USDT]: { feeTo: FEE_TO, amount: FEE } } },
      pollingIntervalMs: 20,
    });
    const liveUptoScheme = createUptoEvmFacilitator(common);
    closers.push(exact.close, upto.close, permit.close, liveUptoScheme.close);
    dying = createFacilitator({
      schemes: [
        { networks: [...exact.networks], facilitator: exact },
        { networks: [...upto.networks], facilitator: upto },
        { networks: [...permit.networks], facilitator: permit, x402Versions: [2] },
      ],
      hooks: dyingHooks(),
    });
    liveUpto = createFacilitator({
      schemes: [{ networks: [...liveUptoScheme.networks], facilitator: liveUptoScheme }],
      hooks: createLedgerHooks({
        ledger: app.ledger,
        identify: identifyPayment,
        instanceId: 'live-upto',
        claimLeaseMs: CLAIM_LEASE_MS,
        reconcile: createPermit2Reconciler({ rpc: { [NETWORK]: rpcUrl } }),
      }),
    });
  });

  after(async () => {
    for (const close of closers) close();
    await app?.close();
    await devnet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Permit2 exact, crash window: the retry of the attempt gets the landed hash, stored settled', async () => {
    const payment = await permit2Payment('exact');
    const { sent } = await crashWindow(payment, app.facilitator);
    // the reconciler alone, from a record without a transaction
    const record = await app.ledger.get(payment.key);
    assert.ok(record);
    const { transaction: _, ...withoutHash } = record;
    const found = await createPermit2Reconciler({ rpc: { [NETWORK]: rpcUrl } })(
      { x402Version: 2, ...payment },
      withoutHash,
    );
    assert.deepEqual(found, {
      success: true,
      transaction: sent.transaction,
      network: NETWORK,
      payer: devnet.accounts.payer.address,
    });
  });

  it('Permit2 upto, crash window: the retry of the attempt gets the landed hash and the charged amount', async () => {
    const payment = await permit2Payment('upto');
    const { retried } = await crashWindow(payment, liveUpto);
    assert.equal(retried.amount, '400');
  });

  it('exact_permit, crash window: the retry of the attempt gets the landed hash, stored settled', async () => {
    const payment = await exactPermitPayment();
    await approvePaymentPermit(
      devnet,
      devnet.accounts.payer.privateKey as Hex,
      payment.requirements,
      10n ** 20n,
    );
    await crashWindow(payment, app.facilitator);
  });

  it('Permit2 exact, front-run: our settle finds the used nonce and answers the front-runner hash as the settlement', async () => {
    const payment = await permit2Payment('exact');
    const front = await frontRun(payment);
    const attempt = `front-run-${randomUUID()}`;
    const ours = await app.facilitator.settle(payment.payload, payment.requirements, { attempt });
    // the payee was paid: money that moved is answered as moved, not as our refused send
    assert.equal(ours.success, true, JSON.stringify(ours));
    assert.equal(ours.transaction, front);
    const stored = await app.ledger.get(payment.key);
    assert.equal(stored?.state, 'settled', 'the payee was paid');
    assert.equal(stored?.transaction, front);
    const retried = await app.facilitator.settle(payment.payload, payment.requirements, { attempt });
    assert.equal(retried.success, true, JSON.stringify(retried));
    assert.equal(retried.transaction, front);
  });

  it('a recorded hash that never landed: pending while the authorization may settle, failed once it expired unused', async () => {
    const payments = {
      exact: await permit2Payment('exact'),
      upto: await permit2Payment('upto'),
      exactPermit: await exactPermitPayment(),
    };
    for (const payment of Object.values(payments)) await pendingWithMadeUpHash(payment);
    // a used nonce without a transfer that carries the authorization is never a failure: the payer
    // invalidated this one, and a lookalike (same amount, same payee, another authorization) landed
    const lookalike = await permit2Payment('exact');
    const invalidated = await permit2Payment('exact');
    await frontRun(lookalike);
    const nonce = BigInt(permit2Authorization(invalidated).nonce);
    await send(
      devnet.accounts.payer.privateKey as Hex,
      PERMIT2_ADDRESS,
      encodeFunctionData({
        abi: permit2Abi,
        functionName: 'invalidateUnorderedNonces',
        args: [nonce >> 8n, 1n << (nonce & 0xffn)],
      }),
    );
    await pendingWithMadeUpHash(invalidated);

    const early = await app.reconciler?.sweep();
    assert.ok(early);
    assert.deepEqual([early.settled, early.failed], [0, 0], JSON.stringify(early));
    for (const payment of [...Object.values(payments), invalidated]) {
      assert.equal((await app.ledger.get(payment.key))?.state, 'pending', 'unknown before the deadline');
    }

    // the chain's clock passes every deadline (Permit2 `deadline`, PaymentPermit `validBefore`)
    const testClient = createDevnetClient(devnet.getChain(97).chain);
    await testClient.increaseTime({ seconds: 400 });
    await testClient.mine({ blocks: 1 });
    await pause(150); // the leases of the first sweep end
    const late = await app.reconciler?.sweep();
    assert.ok(late);
    assert.deepEqual([late.settled, late.failed], [0, 3], JSON.stringify(late));
    const reasons = {
      exact: 'permit2_deadline_expired',
      upto: 'permit2_deadline_expired',
      exactPermit: 'invalid_exact_permit_expired',
    } as const;
    for (const [name, payment] of Object.entries(payments)) {
      const stored = await app.ledger.get(payment.key);
      assert.equal(stored?.state, 'failed', name);
      assert.equal(stored?.outcome?.errorReason, reasons[name as keyof typeof reasons], name);
      assert.match(stored?.outcome?.errorMessage ?? '', /expired unsettled/, name);
    }
    assert.equal(
      (await app.ledger.get(invalidated.key))?.state,
      'pending',
      'used nonce, no transfer: unknown',
    );
  });
});
