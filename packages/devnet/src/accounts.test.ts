import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reasons, X402Error } from '@x402kit/core';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { DEVNET_ACCOUNTS, DEVNET_MNEMONIC, devnetAccount } from './accounts.js';

test('the hard-coded keys are the anvil mnemonic accounts 0..9', () => {
  for (let i = 0; i < 10; i++) {
    const account = devnetAccount(i);
    assert.equal(privateKeyToAccount(account.privateKey).address, account.address);
    assert.equal(mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: i }).address, account.address);
  }
});

test('roles: deployer #0, payer #1, payTo #2, facilitator #3', () => {
  assert.deepEqual(DEVNET_ACCOUNTS.deployer, devnetAccount(0));
  assert.deepEqual(DEVNET_ACCOUNTS.payer, devnetAccount(1));
  assert.deepEqual(DEVNET_ACCOUNTS.payTo, devnetAccount(2));
  assert.deepEqual(DEVNET_ACCOUNTS.facilitator, devnetAccount(3));
  assert.equal(DEVNET_ACCOUNTS.payer.address, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
});

test('indexes past 9 are derived from the mnemonic', () => {
  const account = devnetAccount(12);
  assert.equal(account.address, mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: 12 }).address);
  assert.equal(privateKeyToAccount(account.privateKey).address, account.address);
  assert.equal(devnetAccount(12), account); // cached
  const invalidIndex = (error: unknown) =>
    error instanceof RangeError && error instanceof X402Error && error.reason === Reasons.invalidArgument;
  assert.throws(() => devnetAccount(-1), invalidIndex);
  assert.throws(() => devnetAccount(1.5), invalidIndex);
});
