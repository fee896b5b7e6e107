import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { facilitatorCall as call, paymentPermitPayload } from '@x402kit/testing/facilitator-call';
import { identifyTronPayment } from './identify-tron-payment.js';

// the vectors of the facilitator's identifyPayment tests: the keys the ledger already holds
const BUYER_T = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
const BUYER_HEX = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';
const USDT_T = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const USDT_BODY = '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f';
const EVM_PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const EVM_TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

const permit = (buyer: string, nonce: string | number, payToken = USDT_T) =>
  paymentPermitPayload(buyer, nonce, payToken);

describe('identifyTronPayment', () => {
  it('keys exact_permit on TRON by network, token body, buyer body and a namespaced nonce', () => {
    assert.deepEqual(identifyTronPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '123'), USDT_T)), {
      network: 'tron:nile',
      asset: USDT_BODY,
      payer: BUYER_HEX,
      nonce: 'paymentpermit:123',
    });
  });

  it('gives one key to one payment however its network, addresses and numbers are spelled', () => {
    const a = identifyTronPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '123'), USDT_T));
    const b = identifyTronPayment(call('exact_permit', 'tron:0xCD8690DC', permit(BUYER_HEX, 123), USDT_T));
    const c = identifyTronPayment(
      call('exact_permit', 'tron:3448148188', permit(`41${BUYER_HEX.slice(2)}`, '0x7b')),
    );
    assert.ok(a);
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
  });

  it('reads both GasFree wires (G1 paymentPermit, G2 gasfree) into the same gasfree: key', () => {
    const g1 = identifyTronPayment(call('exact_gasfree', 'tron:nile', permit(BUYER_T, '7'), USDT_T));
    const g2 = identifyTronPayment(
      call('exact_gasfree', 'tron:nile', { gasfree: { token: USDT_T, user: BUYER_T, nonce: '7' } }, USDT_T),
    );
    assert.deepEqual(g1, { network: 'tron:nile', asset: USDT_BODY, payer: BUYER_HEX, nonce: 'gasfree:7' });
    assert.deepEqual(g1, g2);
  });

  it('leaves malformed TRON payloads unidentified', () => {
    const typo = 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U';
    assert.equal(identifyTronPayment(call('exact_permit', 'tron:nile', permit(typo, 1))), undefined);
    assert.equal(identifyTronPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '-1'))), undefined);
    assert.equal(identifyTronPayment(call('exact', 'tron:nile', permit(BUYER_T, 1))), undefined);
  });

  it('leaves EVM and Solana payments to their modules, exact_permit on eip155 included', () => {
    const evmPermit = permit(EVM_PAYER, '5', EVM_TOKEN);
    assert.equal(identifyTronPayment(call('exact_permit', 'eip155:84532', evmPermit)), undefined);
    assert.equal(
      identifyTronPayment(
        call('exact', 'eip155:84532', {
          signature: '0x00',
          permit2Authorization: { from: EVM_PAYER, permitted: { token: EVM_TOKEN, amount: '1' }, nonce: '5' },
        }),
      ),
      undefined,
    );
    assert.equal(
      identifyTronPayment(
        call('exact', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', { transaction: 'AQAB' }, USDT_T),
      ),
      undefined,
    );
    assert.equal(identifyTronPayment(call('exact_gasfree', 'eip155:1', permit(BUYER_T, '7'))), undefined);
  });
});
