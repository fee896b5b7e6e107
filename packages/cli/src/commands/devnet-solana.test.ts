import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnCli } from '@x402kit/testing/spawn-cli';

const SOLANA_DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';

interface SolanaLine {
  network: string;
  solana: Record<
    string,
    {
      rpcUrl: string;
      network: string;
      assets: Record<'USDC' | 'PYUSD', { address: string; decimals: number }>;
      accounts: Record<
        'payer' | 'payTo' | 'feePayer',
        { address: string; secretKey: string; usdcAccount: string; pyusdAccount: string }
      >;
    }
  >;
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const json = (await response.json()) as { result?: unknown };
  return json.result;
}

describe('x402kit devnet --chains solana:devnet', () => {
  it('alone: prints the Solana RPC and base58 accounts, serves the chain, stops on SIGTERM', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', 'solana:devnet']);
    const description = JSON.parse(await run.waitForLine(/^\{/)) as SolanaLine;
    assert.equal(description.network, SOLANA_DEVNET);
    const solana = description.solana[SOLANA_DEVNET];
    assert.ok(solana, 'the line describes the Solana devnet');
    assert.match(solana.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(solana.assets.USDC, {
      address: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
      decimals: 6,
    });
    assert.deepEqual(Object.keys(solana.accounts).sort(), ['feePayer', 'payTo', 'payer']);
    for (const account of Object.values(solana.accounts)) {
      assert.match(account.address, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
      assert.match(account.secretKey, /^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    }
    assert.equal(String(await rpc(solana.rpcUrl, 'getGenesisHash')).slice(0, 32), SOLANA_DEVNET.slice(7));
    const balance = (await rpc(solana.rpcUrl, 'getTokenAccountBalance', [
      solana.accounts.payer.usdcAccount,
    ])) as {
      value: { amount: string };
    };
    assert.equal(balance.value.amount, '1000000000');
    assert.deepEqual(solana.assets.PYUSD, {
      address: 'CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM',
      decimals: 6,
    });
    const mint = (await rpc(solana.rpcUrl, 'getAccountInfo', [
      solana.assets.PYUSD.address,
      { encoding: 'base64' },
    ])) as { value: { owner: string } };
    assert.equal(mint.value.owner, 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
    const pyusd = (await rpc(solana.rpcUrl, 'getTokenAccountBalance', [
      solana.accounts.payer.pyusdAccount,
    ])) as { value: { amount: string } };
    assert.equal(pyusd.value.amount, '1000000000');

    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
    await assert.rejects(rpc(solana.rpcUrl, 'getSlot'));
  });

  it('with an EVM chain: the EVM line gains the Solana network', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', '84532,solana:devnet']);
    const description = JSON.parse(await run.waitForLine(/^\{/)) as SolanaLine & { rpcUrl: string };
    assert.equal(description.network, 'eip155:84532');
    const solana = description.solana[SOLANA_DEVNET];
    assert.ok(solana, 'the line describes the Solana devnet');
    assert.equal(typeof (await rpc(solana.rpcUrl, 'getSlot')), 'number');
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
  });

  it('refuses a Solana network the devnet does not run', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', 'solana:mainnet']);
    assert.equal((await run.exited).code, 2);
    assert.match(run.stderr(), /solana:mainnet is not a Solana network the devnet runs/);
  });
});
