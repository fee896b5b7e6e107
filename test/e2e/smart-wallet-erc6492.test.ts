/**
 * ERC-6492 counterfactual wallets paying `exact` EIP-3009 on the devnet: the facilitator deploys a
 * payer's wallet through an allowlisted factory before settling, and refuses (fail closed, advisory
 * #2480) a factory that is not on its list or a wrapper whose call targets another address; then
 * nothing is deployed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, Reasons } from '@x402kit/core';
import { devnetAccount, type MultiDevnet, readTokenBalance, startDevnets } from '@x402kit/devnet';
import {
  EIP6492_FACTORY_NOT_ALLOWED,
  type ExactEvmFacilitator,
  type ExactEvmSigner,
  signExactEvmAuthorization,
} from '@x402kit/evm';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import {
  createAccountData,
  createSmartWalletFacilitators,
  fundedWallet,
  hasCode,
  type TestWallet,
  walletSigner,
} from '@x402kit/testing/smart-wallets';
import { type Address, encodeFunctionData, erc20Abi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnets: MultiDevnet;
let allowlisting: ExactEvmFacilitator;
let closed: ExactEvmFacilitator;
let requirements: PaymentRequirements;
const owner = privateKeyToAccount(devnetAccount(12).privateKey);
const v2 = { x402Version: 2 } as const;
const wrap = ['TransferWithAuthorization'];

const balanceOf = (address: Address) =>
  readTokenBalance(devnets.rpcUrl, devnets.chains[0]?.token.address as Address, address);

before(async () => {
  devnets = await startDevnets({ chains: [{ chainId: 84532 }] });
  ({ allowlisting, closed } = createSmartWalletFacilitators(devnets));
  const token = devnets.getChain(devnets.network).token;
  requirements = devnetExactRequirements({ network: devnets.network, token, accounts: devnets.accounts });
});

after(async () => {
  allowlisting?.close();
  closed?.close();
  await devnets?.stop();
});

async function wallet(salt: bigint): Promise<TestWallet> {
  return fundedWallet(devnets, owner, salt, requirements.asset as Address, 100_000n);
}

async function pay(signer: ExactEvmSigner): Promise<PaymentPayload> {
  return {
    x402Version: 2,
    accepted: requirements,
    payload: await signExactEvmAuthorization(signer, requirements),
  };
}

describe('ERC-6492 deployment through an allowlisted factory (EIP-3009)', () => {
  it('allowlisted factory: verify simulates with the deployment, settle deploys the wallet and pays', async () => {
    const w = await wallet(101n);
    const payment = await pay(walletSigner(w, { wrap }));
    assert.deepEqual(await allowlisting.verify(payment, requirements, v2), {
      isValid: true,
      payer: w.address,
    });
    assert.equal(await hasCode(devnets, w.address), false, 'verify deploys nothing');
    const payTo0 = await balanceOf(devnets.accounts.payTo.address);
    const settled = await allowlisting.settle(payment, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    assert.equal(settled.payer, w.address);
    assert.equal(await hasCode(devnets, w.address), true, 'the wallet is deployed');
    assert.equal(await balanceOf(w.address), 100_000n - 1000n);
    assert.equal(await balanceOf(devnets.accounts.payTo.address), payTo0 + 1000n);
  });

  it('a wallet deployed meanwhile pays through its inner signature (no second deployment)', async () => {
    const w = await wallet(102n);
    const first = await allowlisting.settle(await pay(walletSigner(w, { wrap })), requirements, v2);
    assert.equal(first.success, true, first.errorMessage);
    const second = await pay(walletSigner(w, { wrap }));
    assert.deepEqual(await closed.verify(second, requirements, v2), { isValid: true, payer: w.address });
    const settled = await closed.settle(second, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    assert.equal(await balanceOf(w.address), 100_000n - 2000n);
  });

  it('factory not on the list (default: none): refused, nothing deployed', async () => {
    const w = await wallet(103n);
    const payment = await pay(walletSigner(w, { wrap }));
    const verified = await closed.verify(payment, requirements, v2);
    assert.equal(verified.invalidReason, EIP6492_FACTORY_NOT_ALLOWED, verified.invalidMessage);
    assert.equal(verified.payer, w.address);
    const settled = await closed.settle(payment, requirements, v2);
    assert.equal(settled.success, false);
    assert.equal(settled.errorReason, EIP6492_FACTORY_NOT_ALLOWED);
    assert.equal(await hasCode(devnets, w.address), false);
    assert.equal(await balanceOf(w.address), 100_000n);
  });

  it('a wrapper whose call targets another address (the token itself) is refused, nothing called', async () => {
    const w = await wallet(104n);
    const drain = encodeFunctionData({
      abi: erc20Abi,
      functionName: 'transfer',
      args: [devnets.accounts.facilitator.address, 1n],
    });
    const token = requirements.asset as Address;
    const payment = await pay(walletSigner(w, { wrap, factory: token, calldata: drain }));
    const verified = await allowlisting.verify(payment, requirements, v2);
    assert.equal(verified.invalidReason, EIP6492_FACTORY_NOT_ALLOWED, verified.invalidMessage);
    const settled = await allowlisting.settle(payment, requirements, v2);
    assert.equal(settled.errorReason, EIP6492_FACTORY_NOT_ALLOWED);
    assert.equal(settled.transaction, '');
    assert.equal(await hasCode(devnets, w.address), false);
  });

  it('allowlisted factory whose calldata deploys another wallet: the signature fails, nothing deployed', async () => {
    const w = await wallet(105n);
    const other = privateKeyToAccount(devnetAccount(13).privateKey);
    const calldata = createAccountData(other.address, 105n);
    const payment = await pay(walletSigner(w, { wrap, calldata }));
    const verified = await allowlisting.verify(payment, requirements, v2);
    assert.equal(verified.isValid, false);
    assert.equal(verified.invalidReason, Reasons.exactEvmSignature, verified.invalidMessage);
    const settled = await allowlisting.settle(payment, requirements, v2);
    assert.equal(settled.errorReason, Reasons.exactEvmSignature);
    assert.equal(await hasCode(devnets, w.address), false);
    assert.equal(await balanceOf(w.address), 100_000n);
  });
});
