import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Permit2SponsoringOptions, signApprovalTransaction } from './sponsoring-client.js';

const owner = '0x1010101010101010101010101010101010101010';
const token = '0x2020202020202020202020202020202020202020';

describe('signApprovalTransaction', () => {
  it('refuses options without signTransaction (invalid_evm_config) before reading the node', async () => {
    let reads = 0;
    const client = {
      getTransactionCount: async () => {
        reads++;
        return 0;
      },
    } as unknown as Permit2SponsoringOptions['client'];
    await assert.rejects(signApprovalTransaction({ client }, owner, token, 84532), {
      name: 'X402Error',
      reason: 'invalid_evm_config',
      message: 'signApprovalTransaction needs signTransaction',
    });
    assert.equal(reads, 0);
  });
});
