import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createBatchSettlementEIP3009DepositPayload,
  computeChannelId as officialChannelId,
  signVoucher as officialSignVoucher,
  readChannelBalanceAndTotalClaimed,
} from '@x402/evm/batch-settlement/client';
import type { Abi, Address, Hex, PrivateKeyAccount } from 'viem';
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  maxUint256,
  parseAbi,
  parseEventLogs,
  toEventSelector,
  toFunctionSelector,
  toHex,
  zeroAddress,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { formatAbiItem } from 'viem/utils';
import {
  batchSettlementAbi,
  erc3009DepositCollectorAbi,
  permit2DepositCollectorAbi,
} from '../../evm/src/batch-settlement/abi.js';
import type { ChannelConfig } from '../../evm/src/batch-settlement/channel.js';
import {
  claimBatchTypes,
  depositPermit2Types,
  refundTypes,
} from '../../evm/src/batch-settlement/constants.js';
import { devnetAccount } from './accounts.js';
import {
  X402_ERC3009_DEPOSIT_COLLECTOR_ADDRESS as ERC3009_COLLECTOR,
  X402_PERMIT2_DEPOSIT_COLLECTOR_ADDRESS as PERMIT2_COLLECTOR,
  X402_BATCH_SETTLEMENT_ADDRESS as SETTLEMENT,
} from './batch-settlement.js';
import type { DevnetClient } from './devnet-client.js';
import { createDevnetClient } from './devnet-client.js';
import {
  erc3009DepositCollectorArtifact,
  permit2DepositCollectorArtifact,
  smartWalletArtifact,
  testReentrancyProbeArtifact,
  x402BatchSettlementArtifact,
} from './generated/contracts.js';
import { mintWith } from './mint-with.js';
import { PERMIT2_ADDRESS } from './permit2.js';
import type { MultiDevnet } from './start-devnets.js';
import { startDevnets } from './start-devnets.js';

const NETWORK = 'eip155:84532';
const DELAY = 900;
const payer = privateKeyToAccount(devnetAccount(1).privateKey);
const receiver = devnetAccount(2).address;
const authorizer = privateKeyToAccount(devnetAccount(3).privateKey);
const stranger = privateKeyToAccount(devnetAccount(5).privateKey);

/** Errors the escrow's calls can bubble up: its own, Permit2's and the reentrancy probe's. */
const revertAbi = [
  ...batchSettlementAbi,
  ...parseAbi([
    'error InvalidSigner()',
    'error InvalidNonce()',
    'error SignatureExpired(uint256 signatureDeadline)',
  ]),
];

type Row = { config: ChannelConfig; max: bigint; total: bigint; signature: Hex };

/** Every function, event and error selector of `abi`. */
function selectors(abi: Abi): Set<string> {
  const out = new Set<string>();
  for (const item of abi) {
    if (item.type === 'function' || item.type === 'error') out.add(toFunctionSelector(formatAbiItem(item)));
    if (item.type === 'event') out.add(toEventSelector(item));
  }
  return out;
}

/** The official `batchSettlementABI` of @x402/evm 2.27 (not exported: read from the chunk that declares it). */
async function officialAbi(): Promise<Abi> {
  const entry = fileURLToPath(import.meta.resolve('@x402/evm/batch-settlement/client'));
  const esm = dirname(dirname(dirname(entry)));
  for (const file of (await readdir(esm)).filter((f) => f.endsWith('.mjs'))) {
    if ((await readFile(join(esm, file), 'utf8')).includes('var batchSettlementABI = ')) {
      const chunk: Record<string, unknown> = await import(pathToFileURL(join(esm, file)).href);
      const abi = Object.values(chunk).find(
        (v) => Array.isArray(v) && v.some((i) => i?.type === 'function' && i?.name === 'claimWithSignature'),
      );
      assert.ok(Array.isArray(abi), `batchSettlementABI in ${file}`);
      return abi as Abi;
    }
  }
  throw new Error(`no chunk of @x402/evm in ${esm} declares batchSettlementABI`);
}

async function expectRevert(call: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof BaseError, String(error));
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(reverted instanceof ContractFunctionRevertedError, error.message);
    assert.equal(reverted.data?.errorName, errorName);
    return true;
  });
}

describe('x402BatchSettlement and its deposit collectors on the devnet', () => {
  let devnet: MultiDevnet;
  let client: DevnetClient;
  let token: { address: Address; name: string; version: string };

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 84532 }] });
    client = createDevnetClient(devnet.chain);
    const placed = devnet.chains[0]?.token;
    assert.ok(placed);
    token = { address: placed.address, name: placed.name, version: placed.version };
  });
  after(async () => {
    await devnet?.stop();
  });

  function channel(overrides: Partial<ChannelConfig> = {}): ChannelConfig {
    return {
      payer: payer.address,
      payerAuthorizer: payer.address,
      receiver,
      receiverAuthorizer: authorizer.address,
      token: token.address,
      withdrawDelay: DELAY,
      salt: toHex(crypto.getRandomValues(new Uint8Array(32))),
      ...overrides,
    };
  }

  const channelIdOf = (config: ChannelConfig) => officialChannelId(config, NETWORK);
  const balanceOf = (asset: Address, owner: Address) =>
    client.readContract({ address: asset, abi: erc20Abi, functionName: 'balanceOf', args: [owner] });
  const state = (config: ChannelConfig) =>
    client.readContract({
      address: SETTLEMENT,
      abi: batchSettlementAbi,
      functionName: 'channels',
      args: [channelIdOf(config)],
    });

  /** Sends `data` to the escrow from an unlocked anvil account and returns the mined receipt's logs. */
  async function send(from: Address, data: Hex, to: Address = SETTLEMENT) {
    const hash = await client.sendTransaction({ account: from, to, data, chain: devnet.chain });
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return parseEventLogs({ abi: batchSettlementAbi, logs: receipt.logs });
  }

  /** What sending `data` from `from` would revert with. */
  function simulate(from: Address, data: Hex) {
    return client.call({ account: from, to: SETTLEMENT, data }).catch((error: unknown) => {
      if (!(error instanceof BaseError)) throw error;
      const raw = error.walk((e) => typeof (e as { data?: unknown }).data === 'string') as {
        data?: Hex;
      } | null;
      throw new ContractFunctionRevertedError({ abi: revertAbi, data: raw?.data, functionName: 'simulate' });
    });
  }

  /** Deposits `amount` through the ERC-3009 collector with the official client's signed payload. */
  async function depositErc3009(config: ChannelConfig, amount: bigint, signer: PrivateKeyAccount = payer) {
    const requirements = {
      scheme: 'batch-settlement',
      network: NETWORK,
      asset: token.address,
      amount: amount.toString(),
      payTo: config.receiver,
      maxTimeoutSeconds: 300,
      extra: { name: token.name, version: token.version },
    } as const;
    const { payload } = await createBatchSettlementEIP3009DepositPayload(
      { address: config.payer, signTypedData: (typed) => signer.signTypedData(typed) },
      2,
      requirements,
      config,
      amount.toString(),
      amount.toString(),
    );
    const auth = (payload as { deposit: { authorization: { erc3009Authorization: Record<string, string> } } })
      .deposit.authorization.erc3009Authorization;
    const collectorData = encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'bytes' }],
      [BigInt(auth.validAfter!), BigInt(auth.validBefore!), BigInt(auth.salt!), auth.signature as Hex],
    );
    const data = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'deposit',
      args: [config, amount, ERC3009_COLLECTOR, collectorData],
    });
    return send(authorizer.address, data);
  }

  async function voucher(config: ChannelConfig, max: bigint, total: bigint, signer = payer): Promise<Row> {
    const signed = await officialSignVoucher(
      { address: signer.address, signTypedData: (typed) => signer.signTypedData(typed) },
      channelIdOf(config),
      max.toString(),
      NETWORK,
    );
    return { config, max, total, signature: signed.signature };
  }

  const claimArgs = (rows: Row[]) =>
    rows.map((r) => ({
      voucher: { channel: r.config, maxClaimableAmount: r.max },
      signature: r.signature,
      totalClaimed: r.total,
    }));

  async function claimWithSignatureData(rows: Row[], signer = authorizer): Promise<Hex> {
    const signature = await signer.signTypedData({
      domain: {
        name: 'x402 Batch Settlement',
        version: '1',
        chainId: devnet.chainId,
        verifyingContract: SETTLEMENT,
      },
      types: claimBatchTypes,
      primaryType: 'ClaimBatch',
      message: {
        claims: rows.map((r) => ({
          channelId: channelIdOf(r.config),
          maxClaimableAmount: r.max,
          totalClaimed: r.total,
        })),
      },
    });
    return encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'claimWithSignature',
      args: [claimArgs(rows), signature],
    });
  }

  const claimData = (rows: Row[]) =>
    encodeFunctionData({ abi: batchSettlementAbi, functionName: 'claim', args: [claimArgs(rows)] });

  async function refundWithSignatureData(
    config: ChannelConfig,
    amount: bigint,
    nonce: bigint,
    signer = authorizer,
  ) {
    const signature = await signer.signTypedData({
      domain: {
        name: 'x402 Batch Settlement',
        version: '1',
        chainId: devnet.chainId,
        verifyingContract: SETTLEMENT,
      },
      types: refundTypes,
      primaryType: 'Refund',
      message: { channelId: channelIdOf(config), nonce, amount },
    });
    return encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'refundWithSignature',
      args: [config, amount, nonce, signature],
    });
  }

  test('the ABIs of evm/batch-settlement/abi.ts and of the official @x402/evm are in the compiled contracts', async () => {
    const pairs = [
      [batchSettlementAbi, x402BatchSettlementArtifact.abi],
      [erc3009DepositCollectorAbi, erc3009DepositCollectorArtifact.abi],
      [permit2DepositCollectorAbi, permit2DepositCollectorArtifact.abi],
      [await officialAbi(), x402BatchSettlementArtifact.abi],
    ] as const;
    for (const [abi, artifact] of pairs) {
      const compiled = selectors(artifact);
      for (const selector of selectors(abi)) assert.ok(compiled.has(selector), `${selector} in the artifact`);
    }
    assert.equal(selectors(await officialAbi()).size, 19, '18 functions and the Settled event');
  });

  test('ERC-3009 deposit (official client payload): the channel id is the official one, tokens move', async () => {
    const config = channel();
    const onChainId = await client.readContract({
      address: SETTLEMENT,
      abi: batchSettlementAbi,
      functionName: 'getChannelId',
      args: [config],
    });
    assert.equal(onChainId.toLowerCase(), channelIdOf(config).toLowerCase());
    const [payerBefore, escrowBefore] = [
      await balanceOf(token.address, payer.address),
      await balanceOf(token.address, SETTLEMENT),
    ];
    const events = await depositErc3009(config, 250_000n);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ['ChannelCreated', 'Deposited'],
    );
    assert.equal(await balanceOf(token.address, payer.address), payerBefore - 250_000n);
    assert.equal(await balanceOf(token.address, SETTLEMENT), escrowBefore + 250_000n);
    const official = await readChannelBalanceAndTotalClaimed(
      {
        address: payer.address,
        signTypedData: payer.signTypedData,
        readContract: (a) => client.readContract(a as never),
      },
      channelIdOf(config),
    );
    assert.deepEqual(official, [250_000n, 0n]);
    assert.equal((await depositErc3009(config, 1n)).length, 1, 'a second deposit creates no channel');
  });

  test('Permit2 deposit with the DepositWitness(channelId) witness', async () => {
    const config = channel();
    await send(
      payer.address,
      encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [PERMIT2_ADDRESS, maxUint256] }),
      token.address,
    );
    const nonce = 7n;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 600);
    const signature = await payer.signTypedData({
      domain: { name: 'Permit2', chainId: devnet.chainId, verifyingContract: PERMIT2_ADDRESS },
      types: depositPermit2Types,
      primaryType: 'PermitWitnessTransferFrom',
      message: {
        permitted: { token: token.address, amount: 40_000n },
        spender: PERMIT2_COLLECTOR,
        nonce,
        deadline,
        witness: { channelId: channelIdOf(config) },
      },
    });
    const collectorData = encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes' }],
      [nonce, deadline, signature, '0x'],
    );
    const deposit = (c: ChannelConfig) =>
      encodeFunctionData({
        abi: batchSettlementAbi,
        functionName: 'deposit',
        args: [c, 40_000n, PERMIT2_COLLECTOR, collectorData],
      });
    const before = await balanceOf(token.address, payer.address);
    await expectRevert(simulate(stranger.address, deposit(channel())), 'InvalidSigner');
    await send(stranger.address, deposit(config));
    assert.equal(await balanceOf(token.address, payer.address), before - 40_000n);
    assert.deepEqual(await state(config), [40_000n, 0n]);
  });
});
