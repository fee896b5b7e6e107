import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { facilitatorCall as call, paymentPermitPayload } from '@x402kit/testing/facilitator-call';
// the vectors of the facilitator's identifyPayment tests: the keys the ledger already holds
import {
  TRON_BUYER_BODY as BUYER_HEX,
  TRON_BUYER as BUYER_T,
  EVM_PAYER,
  EVM_TOKEN,
  TRON_USDT_BODY as USDT_BODY,
  TRON_USDT as USDT_T,
} from '@x402kit/testing/identity-vectors';
import { identifyTronPayment } from './identify-tron-payment.js';

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
