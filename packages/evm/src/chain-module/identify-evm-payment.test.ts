import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { facilitatorCall as call, paymentPermitPayload } from '@x402kit/testing/facilitator-call';
import {
  TRON_BUYER as BUYER_T,
  EVM_PAYER,
  EVM_TOKEN,
  TRON_USDT as USDT_T,
} from '@x402kit/testing/identity-vectors';
import { evmChain } from './evm-chain.js';
import { identifyEvmPayment } from './identify-evm-payment.js';

const permit = (buyer: string, nonce: string | number, payToken = EVM_TOKEN) =>
  paymentPermitPayload(buyer, nonce, payToken);

const permit2 = (nonce: string) => ({
  signature: '0x00',
  permit2Authorization: { from: EVM_PAYER, permitted: { token: EVM_TOKEN, amount: '1' }, nonce },
});

const eip3009 = (nonce: string) => ({
  signature: '0x00',
  authorization: { from: EVM_PAYER, to: EVM_PAYER, value: '1', validAfter: '0', validBefore: '1', nonce },
});

describe('identifyEvmPayment', () => {
  it('keeps the nonce spaces of different contracts apart', () => {
    const viaPermit2 = identifyEvmPayment(call('exact', 'eip155:84532', permit2('5')));
    const viaPaymentPermit = identifyEvmPayment(call('exact_permit', 'eip155:84532', permit(EVM_PAYER, '5')));
    const upto = identifyEvmPayment(call('upto', 'eip155:84532', permit2('0x5')));
    assert.deepEqual(viaPermit2, {
      network: 'eip155:84532',
      asset: EVM_TOKEN.toLowerCase(),
      payer: EVM_PAYER.toLowerCase(),
      nonce: 'permit2:5',
    });
    assert.equal(viaPaymentPermit?.nonce, 'paymentpermit:5');
    assert.equal(viaPermit2?.payer, viaPaymentPermit?.payer);
    assert.deepEqual(upto, viaPermit2);
  });

  it('keeps the EIP-3009 key as before and leaves unknown or malformed payloads unidentified', () => {
    const nonce = `0x${'ab'.repeat(32)}`;
    assert.deepEqual(identifyEvmPayment(call('exact', 'eip155:84532', eip3009(nonce))), {
      network: 'eip155:84532',
      asset: EVM_TOKEN.toLowerCase(),
      payer: EVM_PAYER.toLowerCase(),
      nonce,
    });
    assert.equal(
      identifyEvmPayment(call('exact_permit', 'eip155:84532', permit(EVM_PAYER, '-1'))),
      undefined,
    );
    assert.equal(identifyEvmPayment(call('exact_permit', 'eip155:84532', permit(BUYER_T, '1'))), undefined);
    assert.equal(identifyEvmPayment(call('batch', 'eip155:84532', {})), undefined);
    assert.equal(identifyEvmPayment(call('upto', 'eip155:84532', {})), undefined);
  });

  it('leaves TRON and Solana payments to their own modules', () => {
    assert.equal(
      identifyEvmPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '123', USDT_T), USDT_T)),
      undefined,
    );
    assert.equal(
      identifyEvmPayment(
        call('exact_gasfree', 'tron:nile', { gasfree: { token: USDT_T, user: BUYER_T, nonce: 5 } }),
      ),
      undefined,
    );
    assert.equal(
      identifyEvmPayment(call('exact', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', { transaction: 'AQ==' })),
      undefined,
    );
    // a Permit2-shaped payload on a non-EVM network is not an EVM payment either
    assert.equal(identifyEvmPayment(call('exact', 'tron:nile', permit2('5'))), undefined);
  });
});

describe('the EVM address forms', () => {
  it('lower-case a 0x 20-byte address and know nothing else', () => {
    assert.equal(evmChain.addressKey(EVM_PAYER), EVM_PAYER.toLowerCase());
    assert.equal(evmChain.ledgerAddress(EVM_TOKEN), EVM_TOKEN.toLowerCase());
    assert.equal(evmChain.addressKey(BUYER_T), undefined);
    assert.equal(evmChain.ledgerAddress('0x12'), undefined);
    assert.equal(evmChain.addressKey('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'), undefined);
  });
});
