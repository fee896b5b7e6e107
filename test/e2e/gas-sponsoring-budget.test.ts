/**
 * `erc20ApprovalGasSponsoring` cannot drain the facilitator (real anvil, the whole deployment from
 * `createFacilitatorApp` on PostgreSQL): a greedy approval (huge gas limit, huge max fee, no tip,
 * native value, a future nonce) is refused with its reason and costs the key nothing; an honest one,
 * signed as the official client signs it, pays, and its top-up is the approval's bounded
 * `gas x fee cap`, recorded with the payment; the cap per payment and the daily budgets per payer
 * (shared by two instances) and per key refuse before any send; 20 concurrent sponsored payments
 * through one key all settle with the key's nonce lane intact and the budget never overspent.
 * Needs PostgreSQL at 127.0.0.1:5432 (database `test`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, Reasons } from '@x402kit/core';
import {
  confirmTransaction,
  createDevnetClient,
  DEVNET_PLAIN_TOKEN,
  devnetAccount,
  type MultiDevnet,
  mintWith,
  readTokenBalance,
  startDevnets,
} from '@x402kit/devnet';
import {
  ERC20_APPROVAL_GAS_SPONSORING,
  MAX_UINT256,
  PERMIT2_ADDRESS,
  Permit2Reasons,
  permit2Erc20Abi,
  signPermit2Authorization,
} from '@x402kit/evm';
import { createFacilitatorApp, type FacilitatorApp, parseServiceConfig } from '@x402kit/facilitator';
import { CHAINS } from '@x402kit/testing/chains';
import { settleRequestBody } from '@x402kit/testing/exact-settlement';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  http,
  type PublicClient,
  type TransactionSerializableEIP1559,
} from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';

const APPROVAL_GAS = 70_000n; // what the official client signs
const token = DEVNET_PLAIN_TOKEN.address;

let devnets: MultiDevnet;
let chain: PublicClient;
let requirements: PaymentRequirements;
let pgUrl = '';
const schema = freshSchemaName('gas_sponsoring');
const apps: FacilitatorApp[] = [];
let nextPayer = 400;

before(async () => {
  pgUrl = await testPostgresUrl();
  devnets = await startDevnets({ chains: [{ chainId: 84532 }] });
  chain = createPublicClient({ transport: http(devnets.rpcUrl) });
  requirements = {
    scheme: 'exact',
    network: devnets.network,
    amount: '1000',
    asset: token,
    payTo: devnets.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: { assetTransferMethod: 'permit2' },
  };
});

after(async () => {
  for (const app of apps) await app.close();
  await devnets?.stop();
  if (pgUrl) await dropSchema(pgUrl, schema);
});

/** A deployment on the shared PostgreSQL schema settling from devnet key `keyIndex`. */
async function startApp(
  keyIndex: number,
  gasSponsoring: Record<string, string> = {},
): Promise<FacilitatorApp> {
  const app = await createFacilitatorApp(
    parseServiceConfig(
      {
        networks: { [devnets.network]: { rpc: [devnets.rpcUrl] } },
        signers: { privateKeys: [devnetAccount(keyIndex).privateKey] },
        ledger: { postgres: { url: pgUrl, schema } },
        instanceId: `sponsor-${keyIndex}-${apps.length}`,
        evm: { gasSponsoring },
      },
      { chains: CHAINS },
    ),
    { log: () => {}, autoStart: false },
  );
  apps.push(app);
  return app;
}

/** A payer holding the plain token only: no native gas, no Permit2 allowance. */
async function gaslessPayer(): Promise<PrivateKeyAccount> {
  const payer = privateKeyToAccount(devnetAccount(nextPayer++).privateKey);
  const client = createDevnetClient(devnets.chain);
  await confirmTransaction(
    client,
    await mintWith(client, {
      token,
      owner: devnets.accounts.deployer.address,
      to: payer.address,
      amount: 100_000n,
    }),
  );
  assert.equal(await chain.getBalance({ address: payer.address }), 0n);
  return payer;
}

/** The fees the official client signs with (viem's estimate). */
async function officialFees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  const { maxFeePerGas, maxPriorityFeePerGas } = await chain.estimateFeesPerGas();
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** A Permit2 payment with the payer's approval signed as the official client signs it, then `changes` applied. */
async function sponsoredPayment(
  payer: PrivateKeyAccount,
  changes: Partial<TransactionSerializableEIP1559> = {},
  approve: bigint = MAX_UINT256,
): Promise<PaymentPayload> {
  const payload = await signPermit2Authorization(payer, requirements, { kind: 'exact' });
  const signedTransaction = await payer.signTransaction({
    type: 'eip1559',
    chainId: devnets.chain.id,
    nonce: await chain.getTransactionCount({ address: payer.address, blockTag: 'pending' }),
    to: token,
    data: encodeFunctionData({
      abi: permit2Erc20Abi,
      functionName: 'approve',
      args: [PERMIT2_ADDRESS, approve],
    }),
    gas: APPROVAL_GAS,
    ...(await officialFees()),
    ...changes,
  });
  return {
    x402Version: 2,
    accepted: requirements,
    payload,
    extensions: {
      [ERC20_APPROVAL_GAS_SPONSORING]: {
        info: {
          from: payer.address,
          asset: token,
          spender: PERMIT2_ADDRESS,
          amount: approve.toString(),
          signedTransaction,
          version: '1',
        },
      },
    },
  };
}

async function post(app: FacilitatorApp, path: 'verify' | 'settle', payment: PaymentPayload) {
  const res = await app.service.fetch(
    new Request(`http://facilitator.local/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: settleRequestBody(payment, requirements),
    }),
  );
  const body: Record<string, unknown> = await res.json();
  return body;
}

const keyAddress = (index: number) => privateKeyToAccount(devnetAccount(index).privateKey).address;
const ethOf = (address: Address) => chain.getBalance({ address });
const nonceOf = (address: Address, blockTag: 'latest' | 'pending' = 'latest') =>
  chain.getTransactionCount({ address, blockTag });

describe('erc20ApprovalGasSponsoring: a greedy approval is refused, nothing sent', () => {
  const KEY = 5;
  let app: FacilitatorApp;
  before(async () => {
    app = await startApp(KEY);
  });

  const greedy: Array<
    [string, (fees: { maxFeePerGas: bigint }) => Partial<TransactionSerializableEIP1559>, string]
  > = [
    ['gas limit 1 000 000', () => ({ gas: 1_000_000n }), Permit2Reasons.erc20ApprovalSponsoringGasLimit],
    [
      'max fee 1000 gwei',
      () => ({ maxFeePerGas: 1_000_000_000_000n }),
      Permit2Reasons.erc20ApprovalSponsoringFee,
    ],
    ['priority fee 0', () => ({ maxPriorityFeePerGas: 0n }), Permit2Reasons.erc20ApprovalSponsoringFee],
    ['value 1 wei', () => ({ value: 1n }), Permit2Reasons.erc20ApprovalSponsoringValue],
    ['a future nonce', () => ({ nonce: 7 }), Permit2Reasons.erc20ApprovalSponsoringNonce],
    [
      'all of them together',
      () => ({
        gas: 1_000_000n,
        maxFeePerGas: 1_000_000_000_000n,
        maxPriorityFeePerGas: 0n,
        value: 1n,
        nonce: 7,
      }),
      // the value is checked first
      Permit2Reasons.erc20ApprovalSponsoringValue,
    ],
  ];
  for (const [name, change, reason] of greedy) {
    it(`${name}: ${reason} in verify and settle; the key's balance and nonce do not move`, async () => {
      const payer = await gaslessPayer();
      const payment = await sponsoredPayment(payer, change(await officialFees()));
      const key = keyAddress(KEY);
      const [eth0, nonce0, tokens0] = [
        await ethOf(key),
        await nonceOf(key, 'pending'),
        await readTokenBalance(devnets.rpcUrl, token, payer.address),
      ];
      const verified = await post(app, 'verify', payment);
      assert.equal(verified.isValid, false);
      assert.equal(verified.invalidReason, reason, String(verified.invalidMessage));
      assert.match(String(verified.invalidMessage), /must|at most|at least/);
      const settled = await post(app, 'settle', payment);
      assert.equal(settled.success, false);
      assert.equal(settled.errorReason, reason, String(settled.errorMessage));
      assert.equal(await ethOf(key), eth0, 'the facilitator paid nothing');
      assert.equal(await nonceOf(key, 'pending'), nonce0, 'the facilitator sent nothing');
      assert.equal(await ethOf(payer.address), 0n, 'the payer got nothing');
      assert.equal(await readTokenBalance(devnets.rpcUrl, token, payer.address), tokens0);
    });
  }

  it('an honest approval (official client: gas 70 000, estimated fees) pays; the top-up is its gas x max fee, recorded with the payment', async () => {
    const payer = await gaslessPayer();
    const fees = await officialFees();
    const payment = await sponsoredPayment(payer, fees);
    const key = keyAddress(KEY);
    const eth0 = await ethOf(key);
    const settled = await post(app, 'settle', payment);
    assert.equal(settled.success, true, `${settled.errorReason} ${settled.errorMessage}`);
    assert.equal(await readTokenBalance(devnets.rpcUrl, token, payer.address), 100_000n - 1000n);

    const record = await app.ledger.findByTransaction(String(settled.transaction));
    assert.ok(record, 'the payment is in the ledger');
    assert.ok(app.gasSponsorships, 'the EVM chain opened the sponsorship budget');
    const rows = await app.gasSponsorships.forPayment(record.key);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.kind, 'erc20_approval_top_up');
    assert.equal(row.state, 'sent');
    assert.equal(row.key, key.toLowerCase());
    assert.equal(row.payer, payer.address.toLowerCase());
    assert.equal(row.wei, APPROVAL_GAS * fees.maxFeePerGas, 'exactly the approval gas x its fee cap');
    const topUp = await chain.getTransaction({ hash: row.transaction as Hex });
    assert.equal(topUp.from.toLowerCase(), key.toLowerCase());
    assert.equal(topUp.to?.toLowerCase(), payer.address.toLowerCase());
    assert.equal(topUp.value, row.wei);
    // the key paid the top-up plus the gas of two of its own transactions, nothing else
    const spent = eth0 - (await ethOf(key));
    const ownGas = await Promise.all(
      [row.transaction, settled.transaction].map(async (hash) => {
        const r = await chain.getTransactionReceipt({ hash: hash as Hex });
        return r.gasUsed * r.effectiveGasPrice;
      }),
    );
    assert.equal(spent, row.wei + (ownGas[0] ?? 0n) + (ownGas[1] ?? 0n));
    assert.match(
      (await app.metrics?.render()) ?? '',
      /x402kit_gas_sponsored_wei_total\{network="eip155:84532",kind="erc20_approval_top_up"\} \d+/,
    );
  });
});

describe('gas-sponsoring budgets refuse before any send', () => {
  it('the cap per payment: gas_sponsoring_cap_exceeded, nothing sent', async () => {
    const app = await startApp(6, { maxTopUpWei: '1000' });
    const payer = await gaslessPayer();
    const nonce0 = await nonceOf(keyAddress(6), 'pending');
    const settled = await post(app, 'settle', await sponsoredPayment(payer));
    assert.equal(settled.errorReason, Reasons.gasSponsoringCapExceeded, String(settled.errorMessage));
    assert.match(String(settled.errorMessage), /at most 1000 wei per payment/);
    assert.equal(await nonceOf(keyAddress(6), 'pending'), nonce0);
    assert.equal(await ethOf(payer.address), 0n);
  });

  it("a payer's daily budget is shared by two instances: the second top-up is refused by the other instance", async () => {
    const fees = await officialFees();
    const oneTopUp = (APPROVAL_GAS * fees.maxFeePerGas).toString();
    const a = await startApp(7, { perPayerPerDayWei: oneTopUp });
    const b = await startApp(8, { perPayerPerDayWei: oneTopUp });
    const payer = await gaslessPayer();
    // approve exactly the payment, so the next payment needs an approval (and gas) again
    const first = await post(a, 'settle', await sponsoredPayment(payer, fees, 1000n));
    assert.equal(first.success, true, `${first.errorReason} ${first.errorMessage}`);
    const nonceB = await nonceOf(keyAddress(8), 'pending');
    const second = await post(b, 'settle', await sponsoredPayment(payer, fees, 1000n));
    assert.equal(second.errorReason, Reasons.gasSponsoringPayerBudgetExceeded, String(second.errorMessage));
    assert.equal(await nonceOf(keyAddress(8), 'pending'), nonceB, 'instance b sent nothing');
  });

  it("a key's daily budget: the second payer's top-up is refused", async () => {
    const fees = await officialFees();
    const app = await startApp(4, { perKeyPerDayWei: (APPROVAL_GAS * fees.maxFeePerGas).toString() });
    const first = await post(app, 'settle', await sponsoredPayment(await gaslessPayer(), fees));
    assert.equal(first.success, true, `${first.errorReason} ${first.errorMessage}`);
    const nonce0 = await nonceOf(keyAddress(4), 'pending');
    const second = await post(app, 'settle', await sponsoredPayment(await gaslessPayer(), fees));
    assert.equal(second.errorReason, Reasons.gasSponsoringKeyBudgetExceeded, String(second.errorMessage));
    assert.equal(await nonceOf(keyAddress(4), 'pending'), nonce0);
  });
});

describe('concurrent sponsored payments through one key', () => {
  async function burst(keyIndex: number, payers: number, fitting: number) {
    const fees = await officialFees();
    const topUp = APPROVAL_GAS * fees.maxFeePerGas;
    const app = await startApp(keyIndex, { perKeyPerDayWei: (topUp * BigInt(fitting)).toString() });
    const accounts: PrivateKeyAccount[] = [];
    // one minter key: mint one after another
    for (let i = 0; i < payers; i++) accounts.push(await gaslessPayer());
    const payments = await Promise.all(accounts.map((payer) => sponsoredPayment(payer, fees)));
    const key = keyAddress(keyIndex);
    const nonce0 = await nonceOf(key);
    const answers = await Promise.all(payments.map((payment) => post(app, 'settle', payment)));
    return { app, accounts, answers, key, nonce0, topUp };
  }

  it('20 distinct payers at once: every one settles, the key sent 20 top-ups + 20 settlements in one nonce lane', async () => {
    const { app, accounts, answers, key, nonce0, topUp } = await burst(3, 20, 20);
    for (const a of answers) assert.equal(a.success, true, `${a.errorReason} ${a.errorMessage}`);
    assert.equal(await nonceOf(key), nonce0 + 40);
    assert.equal(await nonceOf(key, 'pending'), nonce0 + 40, 'nothing left pending in the lane');
    for (const payer of accounts)
      assert.equal(await readTokenBalance(devnets.rpcUrl, token, payer.address), 100_000n - 1000n);
    let total = 0n;
    for (const a of answers) {
      const record = await app.ledger.findByTransaction(String(a.transaction));
      assert.ok(record);
      assert.ok(app.gasSponsorships);
      for (const row of await app.gasSponsorships.forPayment(record.key)) total += row.wei;
    }
    assert.equal(total, topUp * 20n);
  });

  it('10 payers at once against a budget of 4 top-ups: exactly 4 settle, 6 are refused, the budget holds', async () => {
    const { answers, key, nonce0 } = await burst(2, 10, 4);
    const settled = answers.filter((a) => a.success === true);
    const refused = answers.filter((a) => a.errorReason === Reasons.gasSponsoringKeyBudgetExceeded);
    assert.equal(settled.length, 4, JSON.stringify(answers.map((a) => a.errorReason ?? 'ok')));
    assert.equal(refused.length, 6);
    assert.equal(await nonceOf(key, 'pending'), nonce0 + 8, '4 top-ups and 4 settlements, nothing more');
  });
});
