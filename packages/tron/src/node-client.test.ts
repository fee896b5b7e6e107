import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { utils as tronUtils } from 'tronweb';
import { encodeFunctionData, erc20Abi } from 'viem';
import { toEvmHex, toTronHex } from './address.js';
import { checkTriggerTransaction } from './check-trigger-transaction.js';
import { createTronNodeClient, type TronNodeClient } from './node-client.js';
import { TronNodeError } from './node-error.js';
import { signTronTransaction } from './transaction-signature.js';
import { readTrc20Allowance, readTrc20Balance } from './trc20-reads.js';
import { waitForTransactionInfo } from './wait-for-transaction-info.js';

// a fake TRON full node speaking the real HTTP wire format (visible:false, 41-hex addresses, hex messages)
const KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OWNER = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
const USDT = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const SPENDER = 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH';
const TXID = 'ab'.repeat(32);

type Seen = { path: string; body: Record<string, unknown>; apiKey: string | undefined };
const seen: Seen[] = [];
let script: Array<(res: ServerResponse, body: Record<string, unknown>) => boolean> = [];
let infoPolls = 0;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
  return true;
}
const hexText = (s: string) => Buffer.from(s, 'utf8').toString('hex');

function buildTx(body: Record<string, unknown>): Record<string, unknown> {
  const selector = String(body.function_selector);
  const { keccak256, toBytes } = {
    keccak256: tronUtils.ethersUtils.keccak256,
    toBytes: tronUtils.ethersUtils.toUtf8Bytes,
  };
  const data =
    typeof body.data === 'string'
      ? body.data
      : keccak256(toBytes(selector)).slice(2, 10) + String(body.parameter);
  const tx: Record<string, unknown> = {
    visible: false,
    txID: '',
    raw_data: {
      contract: [
        {
          parameter: {
            value: { data, owner_address: body.owner_address, contract_address: body.contract_address },
            type_url: 'type.googleapis.com/protocol.TriggerSmartContract',
          },
          type: 'TriggerSmartContract',
        },
      ],
      ref_block_bytes: '2d3e',
      ref_block_hash: 'c4b7d8e9f0a1b2c3',
      expiration: Date.now() + 60_000,
      fee_limit: body.fee_limit,
      timestamp: Date.now(),
    },
  };
  // tronweb (the oracle) computes raw_data_hex and txID, as java-tron would
  const pb = tronUtils.transaction.txJsonToPb(tx);
  tx.raw_data_hex = tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase();
  tx.txID = tronUtils.transaction.txPbToTxID(pb).replace(/^0x/, '');
  return tx;
}

function route(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): boolean {
  const step = script.shift();
  if (step?.(res, body)) return true;
  switch (req.url) {
    case '/wallet/triggerconstantcontract': {
      const isBalance = body.function_selector === 'balanceOf(address)';
      const word = (isBalance ? 1_234_567n : 2n ** 160n - 1n).toString(16).padStart(64, '0');
      return json(res, 200, {
        result: { result: true },
        energy_used: 935,
        constant_result: [word],
        transaction: { ret: [{}] },
      });
    }
    case '/wallet/triggersmartcontract':
      return json(res, 200, { result: { result: true }, transaction: buildTx(body) });
    case '/wallet/broadcasttransaction': {
      const sig = (body.signature as string[] | undefined)?.[0] ?? '';
      const signer = tronUtils.crypto.ecRecover(String(body.txID), sig);
      if (signer.toLowerCase() !== toTronHex(OWNER)) {
        return json(res, 200, {
          code: 'SIGERROR',
          txid: body.txID,
          message: hexText('Validate signature error: bad signer'),
        });
      }
      return json(res, 200, { result: true, txid: body.txID });
    }
    case '/wallet/gettransactioninfobyid':
    case '/walletsolidity/gettransactioninfobyid':
      infoPolls++;
      if (body.value !== TXID || infoPolls < 3) return json(res, 200, {});
      return json(res, 200, {
        id: TXID,
        fee: 345000,
        blockNumber: 61234567,
        blockTimeStamp: 1718000000000,
        contractResult: [''],
        receipt: { energy_usage_total: 14631, net_usage: 345, result: 'SUCCESS' },
        log: [
          {
            address: 'eca9bc828a3005b9a3b909f2cc5c2a54794de05f',
            topics: ['ddf252ad'.padEnd(64, '0')],
            data: '00'.repeat(32),
          },
        ],
      });
    case '/wallet/gettransactionbyid':
      return json(res, 200, {});
    case '/wallet/getaccount':
      return json(res, 200, { address: body.address, balance: 5_000_000, create_time: 1700000000000 });
    case '/wallet/getcontract':
      return json(res, 200, {
        origin_address: toTronHex(OWNER),
        contract_address: body.value,
        abi: { entrys: [] },
        bytecode: '60806040',
        name: 'TetherToken',
      });
    case '/wallet/getnowblock':
      return json(res, 200, {
        blockID: `0000000003a6${'cd'.repeat(26)}`,
        block_header: {
          raw_data: {
            number: 61234567,
            txTrieRoot: '00'.repeat(32),
            witness_address: toTronHex(OWNER),
            parentHash: '11'.repeat(32),
            version: 31,
            timestamp: 1718000000000,
          },
          witness_signature: 'aa',
        },
      });
    default:
      return json(res, 404, { Error: 'not found' });
  }
}

const server = createServer((req, res) => {
  let text = '';
  req.on('data', (c) => {
    text += c;
  });
  req.on('end', () => {
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const key = req.headers['tron-pro-api-key'];
    seen.push({ path: req.url ?? '', body, apiKey: typeof key === 'string' ? key : undefined });
    route(req, res, body);
  });
});
let node: TronNodeClient;
let url = '';

const fails = (reason: string) => (e: unknown) =>
  e instanceof TronNodeError && e.name === 'TronNodeError' && e.reason === reason;

describe('TRON node client', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    node = createTronNodeClient({
      url: `${url}/`,
      apiKey: 'k-123',
      timeoutMs: 2000,
      retries: 2,
      maxRetryDelayMs: 50,
    });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reads TRC-20 balance and allowance with 41-hex addresses and the API key', async () => {
    seen.length = 0;
    assert.equal(await readTrc20Balance(node, { token: USDT, owner: OWNER }), 1_234_567n);
    assert.equal(
      await readTrc20Allowance(node, { token: USDT, owner: OWNER, spender: SPENDER }),
      2n ** 160n - 1n,
    );
    const first = seen[0];
    assert.equal(first?.path, '/wallet/triggerconstantcontract');
    assert.equal(first?.apiKey, 'k-123');
    assert.deepEqual(first?.body, {
      owner_address: toTronHex(OWNER),
      contract_address: toTronHex(USDT),
      visible: false,
      function_selector: 'balanceOf(address)',
      parameter: toTronHex(OWNER).slice(2).padStart(64, '0'),
    });
    assert.equal(String(seen[1]?.body.parameter).length, 128);
  });

  it('builds, checks, signs and broadcasts a trigger transaction', async () => {
    const data = encodeFunctionData({
      abi: erc20Abi,
      functionName: 'approve',
      args: [toEvmHex(SPENDER), 10n],
    });
    const tx = await node.triggerSmartContract({
      owner: OWNER,
      contract: USDT,
      functionSelector: 'approve(address,uint256)',
      parameter: data.slice(10),
      feeLimit: 100_000_000,
    });
    assert.equal(seen.at(-1)?.body.fee_limit, 100_000_000);
    const raw = checkTriggerTransaction(tx, { owner: OWNER, contract: USDT, data, maxFeeLimit: 100_000_000 });
    assert.equal(raw.feeLimit, 100_000_000);
    const signed = await signTronTransaction(tx, KEY);
    assert.deepEqual(await node.broadcastTransaction(signed), { txid: tx.txID });
  });

  it('decodes a hex SIGERROR into tron_broadcast_sigerror', async () => {
    const data = encodeFunctionData({
      abi: erc20Abi,
      functionName: 'approve',
      args: [toEvmHex(SPENDER), 1n],
    });
    const tx = await node.triggerSmartContract({ owner: OWNER, contract: USDT, data, feeLimit: 1 });
    const signed = await signTronTransaction(tx, `0x${'11'.repeat(32)}`);
    await assert.rejects(node.broadcastTransaction(signed), (e: unknown) => {
      assert.ok(e instanceof TronNodeError);
      assert.equal(e.reason, 'tron_broadcast_sigerror');
      assert.equal(e.tronCode, 'SIGERROR');
      assert.equal(e.tronMessage, 'Validate signature error: bad signer');
      return true;
    });
    script = [
      (res) =>
        json(res, 200, { code: 'DUP_TRANSACTION_ERROR', txid: tx.txID, message: hexText('dup transaction') }),
    ];
    await assert.rejects(node.broadcastTransaction(signed), fails('tron_broadcast_dup_transaction_error'));
    script = [
      (res) =>
        json(res, 200, {
          result: {
            code: 'CONTRACT_VALIDATE_ERROR',
            message: hexText('Contract validate error : account does not exist'),
          },
        }),
    ];
    await assert.rejects(
      node.triggerSmartContract({ owner: OWNER, contract: USDT, data, feeLimit: 1 }),
      (e: unknown) =>
        fails('tron_node_contract_failed')(e) &&
        e instanceof TronNodeError &&
        e.tronMessage === 'Contract validate error : account does not exist',
    );
  });

  it('backs off on 429 honouring Retry-After, then gives up with a reason', async () => {
    seen.length = 0;
    script = [(res) => json(res, 429, { Error: 'rate limited' }, { 'retry-after': '1' })];
    const started = Date.now();
    assert.equal((await node.getAccount(OWNER))?.balance, 5_000_000);
    assert.equal(seen.length, 2);
    assert.ok(Date.now() - started < 1000, 'Retry-After is bounded by maxRetryDelayMs');
    const limited = () => (res: ServerResponse) => json(res, 429, {});
    script = [limited(), limited(), limited()];
    await assert.rejects(node.getNowBlock(), fails('tron_node_rate_limited'));
    const down = () => (res: ServerResponse) => json(res, 503, 'busy');
    script = [down(), down(), down()];
    await assert.rejects(node.getNowBlock(), fails('tron_node_http_error'));
    script = [(res) => json(res, 500, 'boom')];
    await assert.rejects(
      node.getNowBlock(),
      (e: unknown) => fails('tron_node_http_error')(e) && e instanceof TronNodeError && e.status === 500,
    );
  });

  it('times out slow answers', async () => {
    const slow = createTronNodeClient({ url, timeoutMs: 100, retries: 0 });
    script = [
      (res) => {
        setTimeout(() => json(res, 200, {}), 400);
        return true;
      },
    ];
    await assert.rejects(slow.getNowBlock(), fails('tron_node_timeout'));
  });

  it('validates answers and maps empty objects to undefined', async () => {
    assert.equal((await node.getNowBlock()).block_header.raw_data.number, 61234567);
    assert.equal((await node.getContract(USDT))?.name, 'TetherToken');
    assert.equal(await node.getTransactionById(TXID), undefined);
    assert.equal(await node.getTransactionInfoById('cd'.repeat(32)), undefined);
    script = [(res) => json(res, 200, 'not json{')];
    await assert.rejects(node.getNowBlock(), fails('tron_node_bad_response'));
    script = [(res) => json(res, 200, { blockID: 'xyz' })];
    await assert.rejects(node.getNowBlock(), fails('tron_node_bad_response'));
    script = [
      (res) => json(res, 200, { Error: 'class java.lang.IllegalArgumentException : Invalid address' }),
    ];
    await assert.rejects(node.getAccount(OWNER), fails('tron_node_rejected'));
    await assert.rejects(node.getTransactionById('zz'), fails('invalid_tron_node_request'));
    await assert.rejects(
      node.triggerSmartContract({ owner: OWNER, contract: USDT, data: '0x00', feeLimit: 2 ** 60 }),
      fails('invalid_tron_node_request'),
    );
    assert.throws(() => createTronNodeClient({ url: 'ftp://x' }), fails('invalid_tron_node_request'));
  });

  it('waits for transaction info with bounded polling', async () => {
    infoPolls = 0;
    seen.length = 0;
    const info = await waitForTransactionInfo(node, TXID, { timeoutMs: 2000, pollMs: 40, solidified: true });
    assert.equal(info.receipt?.result, 'SUCCESS');
    assert.equal(info.blockNumber, 61234567);
    assert.ok(seen.every((s) => s.path === '/walletsolidity/gettransactioninfobyid'));
    assert.equal(seen.length, 3);
    await assert.rejects(
      waitForTransactionInfo(node, 'cd'.repeat(32), { timeoutMs: 150, pollMs: 40 }),
      fails('tron_tx_wait_timeout'),
    );
  });
});
