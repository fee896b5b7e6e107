import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifyEvmPayment } from '../chain-module/identify-evm-payment.js';
import { type ChannelConfig, computeChannelId } from './channel.js';
import { batchPaymentKey } from './facilitator-payment-key.js';

const network = 'eip155:84532';
const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const B = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const config: ChannelConfig = {
  payer: A,
  payerAuthorizer: A,
  receiver: B,
  receiverAuthorizer: B,
  token: TOKEN,
  withdrawDelay: 900,
  salt: `0x${'00'.repeat(31)}01`,
};
const channelId = computeChannelId(config, 84532);
const voucher = { channelId, maxClaimableAmount: '1000', signature: `0x${'11'.repeat(65)}` };
const salt = `0x${'22'.repeat(32)}`;
const erc3009 = { validAfter: '0', validBefore: '9999999999', salt, signature: `0x${'33'.repeat(65)}` };
const deposit = (authorization: unknown) => ({
  type: 'deposit',
  channelConfig: config,
  voucher,
  deposit: { amount: '5000', authorization },
});
const row = (total: string) => ({
  voucher: { channel: config, maxClaimableAmount: total },
  signature: voucher.signature,
  totalClaimed: total,
});

describe('batch-settlement payment keys', () => {
  it('keys an ERC-3009 deposit by its collector nonce, a Permit2 one in Permit2 nonce space', () => {
    const key = batchPaymentKey(deposit({ erc3009Authorization: erc3009 }), network);
    assert.equal(key?.payer, A.toLowerCase());
    assert.equal(key?.asset, TOKEN.toLowerCase());
    assert.match(key?.nonce ?? '', /^batch3009:0x[0-9a-f]{64}$/);
    // another salt is another authorization
    const other = batchPaymentKey(
      deposit({ erc3009Authorization: { ...erc3009, salt: `0x${'44'.repeat(32)}` } }),
      network,
    );
    assert.notEqual(other?.nonce, key?.nonce);
    const permit2 = {
      from: A,
      permitted: { token: TOKEN, amount: '5000' },
      spender: B,
      nonce: '77',
      deadline: '9999999999',
      witness: { channelId },
      signature: voucher.signature,
    };
    assert.equal(batchPaymentKey(deposit({ permit2Authorization: permit2 }), network)?.nonce, 'permit2:77');
  });

  it('keys a completed refund by channel and refund nonce, a claim by its rows; vouchers and sweeps have none', () => {
    const refund = { type: 'refund', channelConfig: config, voucher };
    assert.equal(batchPaymentKey(refund, network), undefined, 'not completed by the server yet');
    assert.equal(
      batchPaymentKey({ ...refund, refundNonce: '3' }, network)?.nonce,
      `batchrefund:${channelId}:3`,
    );
    const claim = (total: string) => batchPaymentKey({ type: 'claim', claims: [row(total)] }, network);
    assert.match(claim('1000')?.nonce ?? '', /^batchclaim:0x[0-9a-f]{64}$/);
    assert.equal(claim('1000')?.nonce, claim('1000')?.nonce);
    assert.notEqual(claim('1000')?.nonce, claim('2000')?.nonce);
    assert.equal(batchPaymentKey({ type: 'voucher', channelConfig: config, voucher }, network), undefined);
    assert.equal(batchPaymentKey({ type: 'settle', receiver: B, token: TOKEN }, network), undefined);
    assert.equal(batchPaymentKey({ type: 'deposit' }, network), undefined, 'malformed: no key');
  });

  it('is what the EVM chain module identifies for the ledger', () => {
    const payload = deposit({ erc3009Authorization: erc3009 });
    const requirements = {
      scheme: 'batch-settlement',
      network,
      amount: '1000',
      asset: TOKEN,
      payTo: B,
      maxTimeoutSeconds: 60,
    };
    const call = {
      x402Version: 2,
      payload: { x402Version: 2, accepted: requirements, payload },
      requirements,
    } as const;
    assert.deepEqual(identifyEvmPayment(call as never), batchPaymentKey(payload, network));
  });
});
