/**
 * Relayer robustness on a real anvil: a stuck transaction is replaced (same nonce, higher fees) and
 * the ledger hears both hashes; RPC failover past a dead URL and a 5xx URL; a JSON-RPC error is
 * never asked of another URL.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PaymentRequirements } from '@x402kit/core';
import { createDevnetClient, type Devnet, type DevnetClient, startDevnet } from '@x402kit/devnet';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import type { Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createEvmNetwork } from '../evm-network.js';
import { signExactEvmAuthorization } from '../exact/client.js';
import { createExactEvmFacilitator } from '../exact/facilitator.js';
import { bumpFees } from './bump-fees.js';
import { relaySettlement } from './relay-settlement.js';

let devnet: Devnet;
let anvil: DevnetClient;

before(async () => {
  devnet = await startDevnet({});
  anvil = createDevnetClient(devnet.chain);
});

after(async () => {
  await devnet?.stop();
});

/** A URL nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An HTTP server answering every request with `status`, counting them. */
async function answering(status: number): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, server };
}

describe('stuck transaction replacement', () => {
  it('bumps both EIP-1559 fees by more than 10 % and never below the current fees', () => {
    const raised = bumpFees(
      { type: 'eip1559', maxFeePerGas: 1000n, maxPriorityFeePerGas: 100n },
      { type: 'eip1559', maxFeePerGas: 900n, maxPriorityFeePerGas: 200n },
    );
    assert.deepEqual(raised, { type: 'eip1559', maxFeePerGas: 1126n, maxPriorityFeePerGas: 200n });
    assert.deepEqual(bumpFees({ type: 'legacy', gasPrice: 80n }, { type: 'legacy', gasPrice: 10n }), {
      type: 'legacy',
      gasPrice: 91n,
    });
  });

  it('re-signs the same nonce with higher fees, reports both hashes and the one that lands', async () => {
    const account = privateKeyToAccount(devnet.accounts.facilitator.privateKey);
    const net = createEvmNetwork({
      network: devnet.network,
      chainId: devnet.chainId,
      rpcUrl: devnet.rpcUrl,
      accounts: [account],
      stuckAfterMs: 200,
    });
    const relayer = net.nextRelayer();
    const broadcasts: Hash[] = [];
    const sent: Array<{ nonce: number; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }> = [];
    await anvil.setAutomine(false);
    try {
      const outcome = await relaySettlement({
        relayer,
        call: { to: devnet.accounts.payTo.address, data: '0x', gas: 21_000n },
        client: net.client,
        pollingIntervalMs: 20,
        receiptTimeoutMs: 30_000,
        onBroadcast: async (transaction) => {
          const hash = transaction as Hash;
          broadcasts.push(hash);
          sent.push(await anvil.getTransaction({ hash }));
          // the first version vanishes from the pool (as a node evicting it would); the
          // replacement is mined
          if (broadcasts.length === 1) await anvil.dropTransaction({ hash });
          else await anvil.mine({ blocks: 1 });
        },
      });
      assert.equal(outcome.kind, 'mined');
      assert.equal(broadcasts.length, 2);
      assert.notEqual(broadcasts[0], broadcasts[1]);
      if (outcome.kind !== 'mined') return;
      assert.equal(outcome.hash, broadcasts[1]);
      assert.equal(outcome.receipt.status, 'success');
      const [first, second] = sent;
      assert.ok(first && second);
      assert.equal(second.nonce, first.nonce);
      assert.ok((second.maxFeePerGas ?? 0n) * 10n >= (first.maxFeePerGas ?? 0n) * 11n);
      assert.ok((second.maxPriorityFeePerGas ?? 0n) * 10n >= (first.maxPriorityFeePerGas ?? 0n) * 11n);
      assert.ok((second.maxPriorityFeePerGas ?? 0n) > 0n);
    } finally {
      await anvil.setAutomine(true);
    }
  });
});

describe('RPC failover', () => {
  it('reads, sends and settles through the second URL when the first port is closed', async () => {
    const dead = await closedPortUrl();
    const requirements: PaymentRequirements = devnetExactRequirements(devnet);
    const facilitator = createExactEvmFacilitator({
      networks: { [devnet.network]: { rpcUrl: [dead, devnet.rpcUrl] } },
      signers: [devnet.accounts.facilitator.privateKey],
      pollingIntervalMs: 20,
    });
    try {
      const payer = privateKeyToAccount(devnet.accounts.payer.privateKey);
      const payload = {
        x402Version: 2 as const,
        accepted: requirements,
        payload: await signExactEvmAuthorization(payer, requirements),
      };
      const verified = await facilitator.verify(payload, requirements, { x402Version: 2 });
      assert.equal(verified.isValid, true, JSON.stringify(verified));
      const settled = await facilitator.settle(payload, requirements, { x402Version: 2 });
      assert.equal(settled.success, true, JSON.stringify(settled));
    } finally {
      facilitator.close();
    }
  });

  it('skips a URL answering 503 for a while, and never re-asks a JSON-RPC error elsewhere', async () => {
    const failing = await answering(503);
    const spare = await answering(200);
    try {
      const account = privateKeyToAccount(devnet.accounts.facilitator.privateKey);
      const flaky = createEvmNetwork({
        network: devnet.network,
        chainId: devnet.chainId,
        rpcUrl: [failing.url, devnet.rpcUrl],
        accounts: [account],
      });
      for (let i = 0; i < 5; i++) assert.ok((await flaky.client.getBlockNumber()) >= 0n);
      assert.equal(failing.hits(), 1, 'the 503 URL is asked once, then cooled down');

      const healthy = createEvmNetwork({
        network: devnet.network,
        chainId: devnet.chainId,
        rpcUrl: [devnet.rpcUrl, spare.url],
        accounts: [account],
      });
      // an execution revert is the chain's answer: thrown, not retried on the spare URL
      await assert.rejects(
        healthy.client.call({ to: devnet.token.address, data: '0xdeadbeef', account: account.address }),
      );
      assert.equal(spare.hits(), 0);
    } finally {
      failing.server.close();
      spare.server.close();
    }
  });
});
