import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload } from '@x402kit/core';
import { encodeFunctionData } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { MAX_UINT256, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';
import { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING, readPermit2Extension } from './extensions.js';

const payer = privateKeyToAccount(`0x${'33'.repeat(32)}`);
const other = privateKeyToAccount(`0x${'44'.repeat(32)}`);
const token = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const now = 1_800_000_000;
const accepted = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: token,
  payTo: other.address,
  maxTimeoutSeconds: 300,
  extra: {},
};

const read = (extensions: Record<string, unknown>) =>
  readPermit2Extension({ x402Version: 2, accepted, payload: {}, extensions } satisfies PaymentPayload, {
    payer: payer.address,
    token,
    eip2612: true,
    erc20Approval: true,
    now,
  });

const permitInfo = {
  from: payer.address,
  asset: token,
  spender: PERMIT2_ADDRESS,
  amount: '1000',
  nonce: '0',
  deadline: String(now + 300),
  signature: `0x${'ab'.repeat(65)}`,
  version: '1',
};

async function approvalTx(
  opts: { to?: `0x${string}`; spender?: `0x${string}`; data?: `0x${string}`; key?: typeof payer } = {},
) {
  return (opts.key ?? payer).signTransaction({
    type: 'eip1559',
    chainId: 84532,
    nonce: 0,
    to: opts.to ?? token,
    data:
      opts.data ??
      encodeFunctionData({
        abi: permit2Erc20Abi,
        functionName: 'approve',
        args: [opts.spender ?? PERMIT2_ADDRESS, MAX_UINT256],
      }),
    gas: 70_000n,
    maxFeePerGas: 1_000_000_000n,
    maxPriorityFeePerGas: 100_000_000n,
  });
}

describe('readPermit2Extension: eip2612GasSponsoring', () => {
  it('accepts a well-formed permit', async () => {
    const r = await read({ [EIP2612_GAS_SPONSORING]: { info: permitInfo } });
    assert.ok(r.ok && r.extension?.kind === 'eip2612' && r.extension.permit2612.value === 1000n);
  });

  it('answers each check with the reference reason', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ amount: '1e3' }, 'invalid_eip2612_extension_format'],
      [{ from: other.address }, 'eip2612_from_mismatch'],
      [{ asset: other.address }, 'eip2612_asset_mismatch'],
      [{ spender: other.address }, 'eip2612_spender_not_permit2'],
      [{ deadline: String(now + 5) }, 'eip2612_deadline_expired'],
    ];
    for (const [patch, reason] of cases) {
      const r = await read({ [EIP2612_GAS_SPONSORING]: { info: { ...permitInfo, ...patch } } });
      assert.ok(!r.ok);
      assert.equal(r.reason, reason);
    }
  });

  it('ignores incomplete infos (the server declaration alone)', async () => {
    const r = await read({ [EIP2612_GAS_SPONSORING]: { info: { description: 'x', version: '1' } } });
    assert.deepEqual(r, { ok: true, extension: undefined });
  });
});

describe('readPermit2Extension: erc20ApprovalGasSponsoring', () => {
  const info = async (patch: Record<string, string> = {}, tx?: `0x${string}`) => ({
    [ERC20_APPROVAL_GAS_SPONSORING]: {
      info: {
        from: payer.address,
        asset: token,
        spender: PERMIT2_ADDRESS,
        amount: MAX_UINT256.toString(),
        signedTransaction: tx ?? (await approvalTx()),
        version: '1',
        ...patch,
      },
    },
  });

  it('accepts the payer-signed approve(Permit2, max)', async () => {
    const r = await read(await info());
    assert.ok(r.ok && r.extension?.kind === 'erc20Approval');
  });

  it('answers each check with the reference reason', async () => {
    const cases: Array<[Promise<Record<string, unknown>>, string]> = [
      [info({ version: 'v1' }), 'invalid_erc20_approval_extension_format'],
      [info({ from: other.address }), 'erc20_approval_from_mismatch'],
      [info({ asset: other.address }), 'erc20_approval_asset_mismatch'],
      [info({ spender: other.address }), 'erc20_approval_spender_not_permit2'],
      [info({}, await approvalTx({ to: other.address })), 'erc20_approval_tx_wrong_target'],
      [
        info(
          {},
          await approvalTx({
            data: encodeFunctionData({ abi: permit2Erc20Abi, functionName: 'nonces', args: [payer.address] }),
          }),
        ),
        'erc20_approval_tx_wrong_selector',
      ],
      [info({}, await approvalTx({ spender: other.address })), 'erc20_approval_tx_wrong_spender'],
      [info({}, await approvalTx({ data: '0x095ea7b3' })), 'erc20_approval_tx_invalid_calldata'],
      [info({}, await approvalTx({ key: other })), 'erc20_approval_tx_signer_mismatch'],
      [info({ signedTransaction: '0x02abcdef' }), 'erc20_approval_tx_parse_failed'],
    ];
    for (const [extensions, reason] of cases) {
      const r = await read(await extensions);
      assert.ok(!r.ok, reason);
      assert.equal(r.reason, reason);
    }
  });
});
