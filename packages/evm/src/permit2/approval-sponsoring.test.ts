import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFunctionData, type Hex, type TransactionSerializable } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { GasFees } from '../relayer/fee-oracle.js';
import {
  approvalTopUpWei,
  DEFAULT_APPROVAL_SPONSORING_LIMITS,
  priceSponsoredApproval,
} from './approval-sponsoring.js';
import { MAX_UINT256, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';
import { Permit2Reasons } from './reasons.js';

// anvil's first well-known key (test only)
const payer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const token = '0x2020202020202020202020202020202020202020';
const gwei = 1_000_000_000n;
// our oracle: max fee 2 x base (1 gwei) + tip (1 gwei)
const fees: GasFees = { type: 'eip1559', maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei };
const approve = (amount: bigint) =>
  encodeFunctionData({ abi: permit2Erc20Abi, functionName: 'approve', args: [PERMIT2_ADDRESS, amount] });

/** The payer's pending nonce is 4. */
const client = {
  getTransactionCount: async () => 4,
};

/** The approval the payer signs: Permit2 may spend all of `token`, at nonce 4, within the gas terms. */
const approval = {
  chainId: 84532,
  nonce: 4,
  to: token,
  data: approve(MAX_UINT256),
  gas: 70_000n,
  maxFeePerGas: 2n * gwei,
  maxPriorityFeePerGas: gwei,
} as const;

function sign(changes: Partial<TransactionSerializable> = {}): Promise<Hex> {
  return payer.signTransaction({ type: 'eip1559', ...approval, ...changes } as TransactionSerializable);
}

const price = async (changes: Partial<TransactionSerializable> = {}, amount = 1000n) =>
  priceSponsoredApproval(await sign(changes), {
    client,
    chainId: 84532,
    payer: payer.address,
    amount,
    fees,
    limits: DEFAULT_APPROVAL_SPONSORING_LIMITS,
  });

describe('priceSponsoredApproval', () => {
  it('accepts what the official client signs and prices it at gas x max fee', async () => {
    assert.deepEqual(await price(), { ok: true, approval: { gas: 70_000n, feeCap: 2n * gwei } });
  });

  it('accepts a legacy transaction whose gas price lands now and is within the factor', async () => {
    const priced = await price({
      type: 'legacy',
      gasPrice: 2n * gwei,
      maxFeePerGas: undefined,
      maxPriorityFeePerGas: undefined,
    });
    assert.deepEqual(priced, { ok: true, approval: { gas: 70_000n, feeCap: 2n * gwei } });
  });

  const refusals: Array<[string, Partial<TransactionSerializable>, string, bigint?]> = [
    ['another chain', { chainId: 1 }, Permit2Reasons.erc20ApprovalSponsoringChainId],
    ['native value', { value: 1n }, Permit2Reasons.erc20ApprovalSponsoringValue],
    ['an approval below the payment', { data: approve(999n) }, Permit2Reasons.erc20ApprovalSponsoringAmount],
    ['gas above the ceiling', { gas: 100_001n }, Permit2Reasons.erc20ApprovalSponsoringGasLimit],
    [
      'max fee above 3x our estimate',
      { maxFeePerGas: 9n * gwei + 1n },
      Permit2Reasons.erc20ApprovalSponsoringFee,
    ],
    ['no tip', { maxPriorityFeePerGas: 0n }, Permit2Reasons.erc20ApprovalSponsoringFee],
    [
      'a max fee below the base fee',
      { maxFeePerGas: gwei, maxPriorityFeePerGas: gwei },
      Permit2Reasons.erc20ApprovalSponsoringFee,
    ],
    [
      'a legacy gas price 100x ours',
      { type: 'legacy', gasPrice: 300n * gwei, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined },
      Permit2Reasons.erc20ApprovalSponsoringFee,
    ],
    ['a stale nonce', { nonce: 3 }, Permit2Reasons.erc20ApprovalSponsoringNonce],
    ['a future nonce', { nonce: 5 }, Permit2Reasons.erc20ApprovalSponsoringNonce],
  ];
  for (const [name, changes, reason] of refusals) {
    it(`refuses ${name} with ${reason} and a message saying what was expected`, async () => {
      const priced = await price(changes);
      assert.equal(priced.ok, false);
      if (priced.ok) return;
      assert.equal(priced.reason, reason);
      assert.match(priced.message, /must|at most|at least|expected/);
    });
  }

  it('refuses an EIP-7702 transaction (tx type), and unparsable bytes (parse failed)', async () => {
    const signed = await payer.signTransaction({
      type: 'eip7702',
      ...approval,
      authorizationList: [
        await payer.signAuthorization({ chainId: 84532, contractAddress: token, nonce: 5 }),
      ],
    });
    const input = {
      client,
      chainId: 84532,
      payer: payer.address,
      amount: 1000n,
      fees,
      limits: DEFAULT_APPROVAL_SPONSORING_LIMITS,
    };
    const typed = await priceSponsoredApproval(signed, input);
    assert.equal(typed.ok ? 'ok' : typed.reason, Permit2Reasons.erc20ApprovalSponsoringTxType);
    const garbage = await priceSponsoredApproval('0x02deadbeef', input);
    assert.equal(garbage.ok ? 'ok' : garbage.reason, Permit2Reasons.erc20ApprovalTxParseFailed);
  });
});

describe('approvalTopUpWei', () => {
  it('tops up only the shortfall of gas x fee cap', () => {
    const approval = { gas: 70_000n, feeCap: 2n * gwei };
    assert.equal(approvalTopUpWei(approval, 0n), 140_000n * gwei);
    assert.equal(approvalTopUpWei(approval, 40_000n * gwei), 100_000n * gwei);
    assert.equal(approvalTopUpWei(approval, 140_000n * gwei), 0n);
    assert.equal(approvalTopUpWei(approval, 10n ** 18n), 0n);
  });
});
