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
import {
  batchSettlementAbi,
  batchSettlementDomain,
  type ChannelConfig,
  claimBatchTypes,
  depositPermit2Types,
  erc3009DepositCollectorAbi,
  permit2DepositCollectorAbi,
  refundTypes,
  voucherTypes,
} from '@x402kit/evm/batch-settlement';
import type { Abi, Address, Hex, PrivateKeyAccount } from 'viem';
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  hashTypedData,
  keccak256,
  maxUint256,
  parseAbi,
  parseEventLogs,
  toBytes,
  toEventSelector,
  toFunctionSelector,
  toHex,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { formatAbiItem } from 'viem/utils';
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
const deployer = devnetAccount(0).address;

/** Errors the escrow's calls can bubble up: its own, Permit2's and the reentrancy probe's. */
const revertAbi = [
  ...batchSettlementAbi,
  ...erc3009DepositCollectorAbi,
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
  function simulate(from: Address, data: Hex, to: Address = SETTLEMENT) {
    return client.call({ account: from, to, data }).catch((error: unknown) => {
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
      domain: batchSettlementDomain(devnet.chainId),
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
      domain: batchSettlementDomain(devnet.chainId),
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

  test('the digest views are the EIP-712 hashes under the domain at the canonical address', async () => {
    const config = channel();
    const channelId = channelIdOf(config);
    const domain = batchSettlementDomain(devnet.chainId);
    const at = { address: SETTLEMENT, abi: batchSettlementAbi } as const;
    assert.equal(
      await client.readContract({ ...at, functionName: 'getVoucherDigest', args: [channelId, 5n] }),
      hashTypedData({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: { channelId, maxClaimableAmount: 5n },
      }),
    );
    assert.equal(
      await client.readContract({ ...at, functionName: 'getRefundDigest', args: [channelId, 3n, 7n] }),
      hashTypedData({
        domain,
        types: refundTypes,
        primaryType: 'Refund',
        message: { channelId, nonce: 3n, amount: 7n },
      }),
    );
    const row = await voucher(config, 9n, 4n);
    assert.equal(
      await client.readContract({
        address: SETTLEMENT,
        abi: batchSettlementAbi,
        functionName: 'getClaimBatchDigest',
        args: [claimArgs([row])],
      }),
      hashTypedData({
        domain,
        types: claimBatchTypes,
        primaryType: 'ClaimBatch',
        message: { claims: [{ channelId, maxClaimableAmount: 9n, totalClaimed: 4n }] },
      }),
    );
    assert.equal(
      await client.readContract({
        address: SETTLEMENT,
        abi: batchSettlementAbi,
        functionName: 'CHANNEL_CONFIG_TYPEHASH',
      }),
      keccak256(
        toBytes(
          'ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)',
        ),
      ),
    );
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
  const freshReceiver = () => privateKeyToAccount(generatePrivateKey()).address;
  const settleData = (to: Address, asset: Address = token.address) =>
    encodeFunctionData({ abi: batchSettlementAbi, functionName: 'settle', args: [to, asset] });
  const refundData = (config: ChannelConfig, amount: bigint) =>
    encodeFunctionData({ abi: batchSettlementAbi, functionName: 'refund', args: [config, amount] });
  const receiverState = (to: Address, asset: Address = token.address) =>
    client.readContract({
      address: SETTLEMENT,
      abi: batchSettlementAbi,
      functionName: 'receivers',
      args: [to, asset],
    });

  async function deploy(abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> {
    const hash = await client.deployContract({ abi, bytecode, args, account: deployer, chain: devnet.chain });
    const { contractAddress } = await client.waitForTransactionReceipt({ hash });
    assert.ok(contractAddress);
    return contractAddress;
  }

  test('claimWithSignature of two channels (relayed by anyone), then settle pays exactly the sum', async () => {
    const to = freshReceiver();
    const [a, b] = [channel({ receiver: to }), channel({ receiver: to })];
    await depositErc3009(a, 1_000n);
    await depositErc3009(b, 1_000n);
    const rows = [await voucher(a, 600n, 300n), await voucher(b, 400n, 250n)];
    await expectRevert(
      simulate(stranger.address, await claimWithSignatureData(rows, stranger)),
      'InvalidSignature',
    );
    const foreign = channel({ receiver: to, receiverAuthorizer: stranger.address });
    const mixed = [rows[0]!, await voucher(foreign, 10n, 1n)];
    await expectRevert(
      simulate(stranger.address, await claimWithSignatureData(mixed)),
      'NotReceiverAuthorizer',
    );

    const claimed = await send(stranger.address, await claimWithSignatureData(rows));
    assert.deepEqual(
      claimed.map((e) => (e.eventName === 'Claimed' ? e.args.claimAmount : e.eventName)),
      [300n, 250n],
    );
    assert.deepEqual(await state(a), [1_000n, 300n]);
    assert.deepEqual(await state(b), [1_000n, 250n]);
    assert.deepEqual(await receiverState(to), [550n, 0n]);

    const escrowBefore = await balanceOf(token.address, SETTLEMENT);
    const settled = await send(stranger.address, settleData(to));
    assert.deepEqual(
      settled.map((e) => (e.eventName === 'Settled' ? [e.args.receiver, e.args.amount] : e.eventName)),
      [[to, 550n]],
    );
    assert.equal(await balanceOf(token.address, to), 550n);
    assert.equal(await balanceOf(token.address, SETTLEMENT), escrowBefore - 550n);
    assert.deepEqual(await receiverState(to), [550n, 550n]);
    assert.deepEqual(await send(stranger.address, settleData(to)), [], 'a second settle moves nothing');
    assert.equal(await balanceOf(token.address, to), 550n);
  });

  test('a voucher above the deposit or its ceiling, from a stranger or badly signed, reverts', async () => {
    const config = channel();
    await depositErc3009(config, 100n);
    const cases = [
      [receiver, await voucher(config, 500n, 200n), 'ClaimExceedsBalance'],
      [receiver, await voucher(config, 50n, 80n), 'ClaimExceedsCeiling'],
      [stranger.address, await voucher(config, 100n, 80n), 'NotAuthorizedToClaim'],
      [receiver, await voucher(config, 100n, 80n, stranger), 'InvalidSignature'],
    ] as const;
    for (const [from, row, error] of cases) await expectRevert(simulate(from, claimData([row])), error);
    await expectRevert(simulate(receiver, claimData([])), 'EmptyBatch');
    assert.deepEqual(await state(config), [100n, 0n]);
  });

  test('a replayed (or older) voucher does not count twice', async () => {
    const to = freshReceiver();
    const config = channel({ receiver: to });
    await depositErc3009(config, 100n);
    const row = await voucher(config, 100n, 60n);
    assert.equal((await send(authorizer.address, claimData([row]))).length, 1);
    assert.deepEqual(await send(authorizer.address, claimData([row])), []);
    assert.deepEqual(await send(authorizer.address, claimData([await voucher(config, 100n, 30n)])), []);
    assert.deepEqual(await state(config), [100n, 60n]);
    assert.deepEqual(await receiverState(to), [60n, 0n]);
  });

  test('a claim after a full refund gets nothing', async () => {
    const config = channel();
    await depositErc3009(config, 100n);
    const payerBefore = await balanceOf(token.address, payer.address);
    await expectRevert(simulate(stranger.address, refundData(config, 100n)), 'NotAuthorizedToRefund');
    await expectRevert(simulate(receiver, refundData(config, 0n)), 'ZeroRefund');
    const events = await send(receiver, refundData(config, 1_000n));
    assert.deepEqual(
      events.map((e) => (e.eventName === 'Refunded' ? e.args.amount : e.eventName)),
      [100n, 'ChannelClosed'],
    );
    assert.equal(await balanceOf(token.address, payer.address), payerBefore + 100n);
    await expectRevert(
      simulate(receiver, claimData([await voucher(config, 100n, 10n)])),
      'ClaimExceedsBalance',
    );
    assert.deepEqual(await state(config), [0n, 0n]);
  });

  test('refundWithSignature: a wrong or replayed nonce reverts; claim and refund in one multicall', async () => {
    const official = await officialAbi();
    const config = channel();
    const id = channelIdOf(config);
    await depositErc3009(config, 100n);
    await expectRevert(
      simulate(stranger.address, await refundWithSignatureData(config, 40n, 1n)),
      'InvalidRefundNonce',
    );
    const forged = await refundWithSignatureData(config, 40n, 0n, stranger);
    await expectRevert(simulate(stranger.address, forged), 'InvalidSignature');
    const payerBefore = await balanceOf(token.address, payer.address);
    const signed = await refundWithSignatureData(config, 40n, 0n);
    await send(stranger.address, signed);
    assert.equal(await balanceOf(token.address, payer.address), payerBefore + 40n);
    const nonce = () =>
      client.readContract({ address: SETTLEMENT, abi: official, functionName: 'refundNonce', args: [id] });
    assert.equal(await nonce(), 1n);
    await expectRevert(simulate(stranger.address, signed), 'InvalidRefundNonce');

    // The official facilitator's refund path: claim what was spent and refund the rest in one multicall.
    const claim = await claimWithSignatureData([await voucher(config, 60n, 25n)]);
    const rest = await refundWithSignatureData(config, 1_000n, 1n);
    const multicall = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'multicall',
      args: [[claim, rest]],
    });
    const events = await send(stranger.address, multicall);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ['Claimed', 'Refunded'],
    );
    assert.deepEqual(await state(config), [25n, 25n]);
    assert.equal(await nonce(), 2n);
  });

  test('reentrancy: a collector or a token calling back into deposit, settle or claim reverts', async () => {
    const probe = await deploy(testReentrancyProbeArtifact.abi, testReentrancyProbeArtifact.bytecode, []);
    const arm = (target: Address, data: Hex) =>
      send(
        stranger.address,
        encodeFunctionData({
          abi: testReentrancyProbeArtifact.abi,
          functionName: 'arm',
          args: [target, data],
        }),
        probe,
      );
    const to = freshReceiver();
    const config = channel({ token: probe, receiver: to });
    const deposit = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'deposit',
      args: [config, 100n, probe, '0x'],
    });

    await arm(SETTLEMENT, deposit);
    await expectRevert(simulate(stranger.address, deposit), 'ReentrancyGuardReentrantCall');
    await arm(zeroAddress, '0x');
    await send(stranger.address, deposit);
    await send(authorizer.address, claimData([await voucher(config, 100n, 40n)]));

    await arm(SETTLEMENT, settleData(to, probe));
    await expectRevert(simulate(stranger.address, settleData(to, probe)), 'ReentrancyGuardReentrantCall');
    await arm(SETTLEMENT, claimData([await voucher(config, 100n, 90n)]));
    await expectRevert(simulate(authorizer.address, refundData(config, 10n)), 'ReentrancyGuardReentrantCall');

    await arm(zeroAddress, '0x');
    await send(stranger.address, settleData(to, probe));
    assert.equal(await balanceOf(probe, to), 40n);
    assert.deepEqual(await state(config), [100n, 40n]);
  });

  test('an ERC-1271 payer (payerAuthorizer zero): deposits by ERC-3009 and its vouchers are checked by the wallet', async () => {
    const wallet = await deploy(smartWalletArtifact.abi, smartWalletArtifact.bytecode, [payer.address]);
    await mintWith(client, { token: token.address, owner: deployer, to: wallet, amount: 1_000n });
    const config = channel({ payer: wallet, payerAuthorizer: zeroAddress });
    await depositErc3009(config, 500n);
    assert.equal(await balanceOf(token.address, wallet), 500n);
    await expectRevert(
      simulate(authorizer.address, claimData([await voucher(config, 500n, 200n, stranger)])),
      'InvalidSignature',
    );
    await send(authorizer.address, claimData([await voucher(config, 500n, 120n)]));
    assert.deepEqual(await state(config), [500n, 120n]);
  });

  test('deposits check the channel: withdrawDelay within 900..2592000, parties, amount, collector', async () => {
    const deposit = (config: ChannelConfig, amount = 1n, collector: Address = ERC3009_COLLECTOR) =>
      simulate(
        stranger.address,
        encodeFunctionData({
          abi: batchSettlementAbi,
          functionName: 'deposit',
          args: [config, amount, collector, '0x'],
        }),
      );
    await expectRevert(deposit(channel({ withdrawDelay: 899 })), 'WithdrawDelayOutOfRange');
    await expectRevert(deposit(channel({ withdrawDelay: 2_592_001 })), 'WithdrawDelayOutOfRange');
    await expectRevert(deposit(channel({ receiverAuthorizer: zeroAddress })), 'InvalidChannel');
    await expectRevert(deposit(channel(), 0n), 'ZeroDeposit');
    await expectRevert(deposit(channel(), 1n, zeroAddress), 'InvalidCollector');
    const longest = channel({ withdrawDelay: 2_592_000 });
    await depositErc3009(longest, 5n);
    assert.deepEqual(await state(longest), [5n, 0n]);
    const direct = encodeFunctionData({
      abi: erc3009DepositCollectorAbi,
      functionName: 'collect',
      args: [payer.address, token.address, 1n, channelIdOf(longest), '0x'],
    });
    await expectRevert(simulate(stranger.address, direct, ERC3009_COLLECTOR), 'OnlyX402BatchSettlement');
  });

  // Last: it moves the chain's clock past the ERC-3009 authorizations' validBefore.
  test('a withdrawal during a claim: finalize pays what is left unclaimed, the receiver keeps its claim', async () => {
    const official = await officialAbi();
    const to = freshReceiver();
    const config = channel({ receiver: to });
    const id = channelIdOf(config);
    await depositErc3009(config, 100n);
    const finalize = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'finalizeWithdraw',
      args: [config],
    });
    const initiate = (amount: bigint) =>
      encodeFunctionData({
        abi: batchSettlementAbi,
        functionName: 'initiateWithdraw',
        args: [config, amount],
      });
    await expectRevert(simulate(payer.address, initiate(101n)), 'WithdrawAmountExceedsAvailable');
    await expectRevert(simulate(stranger.address, initiate(10n)), 'InvalidChannel');
    const [started] = await send(payer.address, initiate(100n));
    assert.equal(started?.eventName, 'WithdrawInitiated');
    const pending = await client.readContract({
      address: SETTLEMENT,
      abi: official,
      functionName: 'pendingWithdrawals',
      args: [id],
    });
    assert.ok(Array.isArray(pending) && pending[0] === 100n && pending[1] > 0n, String(pending));
    await expectRevert(simulate(payer.address, initiate(1n)), 'WithdrawalAlreadyPending');
    await expectRevert(simulate(payer.address, finalize), 'WithdrawDelayNotElapsed');
    await expectRevert(simulate(stranger.address, finalize), 'NotAuthorizedToFinalizeWithdraw');

    await send(authorizer.address, claimData([await voucher(config, 100n, 30n)]));
    await client.increaseTime({ seconds: DELAY });
    await client.mine({ blocks: 1 });
    const payerBefore = await balanceOf(token.address, payer.address);
    const events = await send(payer.address, finalize);
    assert.deepEqual(
      events.map((e) => (e.eventName === 'WithdrawFinalized' ? e.args.amount : e.eventName)),
      [70n],
    );
    assert.equal(await balanceOf(token.address, payer.address), payerBefore + 70n);
    assert.deepEqual(await state(config), [30n, 30n]);
    assert.deepEqual(
      await client.readContract({
        address: SETTLEMENT,
        abi: official,
        functionName: 'pendingWithdrawals',
        args: [id],
      }),
      [0n, 0],
    );
    await expectRevert(simulate(payer.address, finalize), 'WithdrawalNotPending');
    await send(stranger.address, settleData(to));
    assert.equal(await balanceOf(token.address, to), 30n);
  });
});
