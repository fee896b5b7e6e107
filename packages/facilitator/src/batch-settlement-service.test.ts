/**
 * `batch-settlement` in the whole facilitator deployment on the devnet: the receiver-authorizer key
 * from the config file or `BATCH_SETTLEMENT_AUTHORIZER_KEY` (default the first settlement key), shown
 * in `/supported`; and `/metrics` after a real deposit and a real 3-row claim (counters by outcome,
 * the histogram of rows per claim).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { evmChain } from '@x402kit/evm/chain-module';
import { devnetBatchDeposit, devnetBatchRequirements } from '@x402kit/testing/batch-settlement-servers';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { FacilitatorConfigError } from './config.js';
import { createFacilitatorApp, type FacilitatorApp } from './facilitator-app.js';
import { loadServiceConfig } from './service-config.js';

const AUTHORIZER_KEY = devnetAccount(7).privateKey as Hex;
let devnet: Devnet;
const dir = mkdtempSync(join(tmpdir(), 'x402kit-batch-service-'));
const apps: FacilitatorApp[] = [];
let count = 0;

before(async () => {
  devnet = await startDevnet({ port: 0 });
});
after(async () => {
  for (const app of apps) await app.close();
  await devnet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A deployment from `file` (the parsed file's shape) and `env`, on the devnet. */
async function deployment(file: Record<string, unknown>, env: Record<string, string> = {}) {
  const config = await loadServiceConfig({
    chains: [evmChain],
    env: { ...env, X402KIT_DATA_DIR: dir },
    overrides: {
      networks: { [devnet.network]: { rpc: [devnet.rpcUrl] } },
      signers: { privateKeys: [devnet.accounts.facilitator.privateKey] },
      ledger: { sqlite: { path: join(dir, `ledger-${++count}.db`) } },
      keyLease: { enabled: false },
      ...file,
    },
  });
  const app = await createFacilitatorApp(config, { autoStart: false, log: () => {} });
  apps.push(app);
  return app;
}

async function call(app: FacilitatorApp, path: string, body?: unknown) {
  const res = await app.service.fetch(
    new Request(`http://facilitator.test${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return res;
}

async function advertised(app: FacilitatorApp): Promise<unknown> {
  const supported = (await (await call(app, '/supported')).json()) as {
    kinds: Array<{ scheme: string; network: string; extra?: { receiverAuthorizer?: string } }>;
  };
  return supported.kinds.find((k) => k.scheme === 'batch-settlement' && k.network === devnet.network)?.extra
    ?.receiverAuthorizer;
}

describe('batch-settlement in the facilitator deployment (devnet)', () => {
  it('the receiver-authorizer key: default the first settlement key, or from the file or the environment', async () => {
    assert.equal(await advertised(await deployment({})), devnet.accounts.facilitator.address);
    const own = privateKeyToAccount(AUTHORIZER_KEY).address;
    const fromFile = await deployment({ evm: { batchSettlement: { authorizerKey: AUTHORIZER_KEY } } });
    assert.equal(await advertised(fromFile), own);
    const fromEnv = await deployment({}, { BATCH_SETTLEMENT_AUTHORIZER_KEY: AUTHORIZER_KEY });
    assert.equal(await advertised(fromEnv), own);
    await assert.rejects(
      deployment({ evm: { batchSettlement: { authorizerKey: '0x1234' } } }),
      (error: unknown) =>
        error instanceof FacilitatorConfigError &&
        /evm\.batchSettlement\.authorizerKey: must be 0x followed by 64 hex digits/.test(error.message) &&
        !error.message.includes('0x1234'),
    );
  });

  it('/metrics counts a deposit, a 3-row claim and its sweep, and the claim batch size', async () => {
    const app = await deployment({});
    const requirements = devnetBatchRequirements(devnet, devnet.accounts.facilitator.address);

    const rows = [];
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    for (let i = 1; i <= 3; i++) {
      const { payment: paymentPayload } = await devnetBatchDeposit(devnet, payer, { salt: i, multiplier: 5 });
      const { payload } = paymentPayload;
      const settled = await call(app, '/settle', {
        x402Version: 2,
        paymentPayload,
        paymentRequirements: requirements,
      });
      const answer = (await settled.json()) as { success: boolean; errorMessage?: string };
      assert.equal(answer.success, true, answer.errorMessage);
      const { channelConfig, voucher } = payload as {
        channelConfig: unknown;
        voucher: { maxClaimableAmount: string; signature: Hex };
      };
      rows.push({
        voucher: { channel: channelConfig, maxClaimableAmount: voucher.maxClaimableAmount },
        signature: voucher.signature,
        totalClaimed: voucher.maxClaimableAmount,
      });
    }
    const operation = (payload: Record<string, unknown>) => ({
      x402Version: 2,
      paymentPayload: { x402Version: 2, accepted: { ...requirements, amount: '0' }, payload },
      paymentRequirements: { ...requirements, amount: '0' },
    });
    const claim = (await (await call(app, '/settle', operation({ type: 'claim', claims: rows }))).json()) as {
      success: boolean;
      errorMessage?: string;
    };
    assert.equal(claim.success, true, claim.errorMessage);
    const receiver = devnet.accounts.payTo.address;
    const sweep = (await (
      await call(app, '/settle', operation({ type: 'settle', receiver, token: devnet.token.address }))
    ).json()) as { success: boolean; amount?: string };
    assert.equal(sweep.success, true);
    assert.equal(sweep.amount, '3000');

    const text = await (await call(app, '/metrics')).text();
    const labels = `network="${devnet.network}",outcome="settled"`;
    assert.match(text, new RegExp(`^x402kit_batch_settlement_deposits_total\\{${labels}\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^x402kit_batch_settlement_claims_total\\{${labels}\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^x402kit_batch_settlement_sweeps_total\\{${labels}\\} 1$`, 'm'));
    const rowsOf = `network="${devnet.network}"`;
    assert.match(text, new RegExp(`^x402kit_batch_settlement_claim_rows_sum\\{${rowsOf}\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^x402kit_batch_settlement_claim_rows_count\\{${rowsOf}\\} 1$`, 'm'));
    assert.match(
      text,
      new RegExp(`^x402kit_batch_settlement_claim_rows_bucket\\{le="2",${rowsOf}\\} 0$`, 'm'),
    );
    assert.match(
      text,
      new RegExp(`^x402kit_batch_settlement_claim_rows_bucket\\{le="5",${rowsOf}\\} 1$`, 'm'),
    );
    assert.doesNotMatch(text, /x402kit_batch_settlement_refunds_total\{/, 'no refund yet');
  });
});
