import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reasons } from '@x402kit/core';
import { transferErrorReason } from './transfer-error-reason.js';

describe('transfer error reasons', () => {
  it('maps FiatToken revert strings and EIP-3009 custom errors', () => {
    const cases: Array<[string, string]> = [
      [
        'execution reverted: FiatTokenV2: authorization is used or canceled',
        Reasons.exactEvmNonceAlreadyUsed,
      ],
      ['FiatTokenV2: authorization is expired', Reasons.exactEvmValidBefore],
      ['FiatTokenV2: authorization is not yet valid', Reasons.exactEvmValidAfter],
      ['FiatTokenV2: invalid signature', Reasons.exactEvmSignature],
      ['ERC20: transfer amount exceeds balance', Reasons.exactEvmInsufficientBalance],
      ['reverted with custom error AuthorizationUsedOrCanceled()', Reasons.exactEvmNonceAlreadyUsed],
      ['ERC20InsufficientBalance(0x…, 0, 1000)', Reasons.exactEvmInsufficientBalance],
      ['execution reverted', Reasons.exactEvmTransactionFailed],
      ['insufficient funds for gas * price + value', Reasons.exactEvmTransactionFailed],
    ];
    for (const [message, reason] of cases) assert.equal(transferErrorReason(message), reason, message);
  });
});
