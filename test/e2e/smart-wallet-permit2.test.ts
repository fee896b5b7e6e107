/**
 * Smart-wallet payers of `exact` Permit2 payments on the devnet, through verify and settle of our
 * facilitator: a deployed ERC-1271 wallet that approved Permit2, and a counterfactual ERC-6492
 * wallet deployed through an allowlisted factory, whose Permit2 allowance comes from an EIP-2612
 * permit (eip2612GasSponsoring; the devnet USDC checks permits with ERC-1271 as FiatToken v2.2 does).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import {
  createDevnetClient,
  devnetAccount,
  type MultiDevnet,
  readTokenBalance,
  startDevnets,
} from '@x402kit/devnet';
import {
  EIP2612_GAS_SPONSORING,
  EIP6492_FACTORY_NOT_ALLOWED,
  type ExactEvmFacilitator,
  type ExactEvmSigner,
  PERMIT2_ADDRESS,
  readPermit2Allowance,
  signPermit2Authorization,
  signSponsoringExtension,
} from '@x402kit/evm';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import {
  createSmartWalletFacilitators,
  deployWallet,
  fundedWallet,
  hasCode,
  type TestWallet,
  walletSigner,
} from '@x402kit/testing/smart-wallets';
import { type Address, createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnets: MultiDevnet;
let allowlisting: ExactEvmFacilitator;
let closed: ExactEvmFacilitator;
let requirements: PaymentRequirements;
// index < 10: an anvil-funded key, so the owner can pay for its deployed wallet's approval
const owner = privateKeyToAccount(devnetAccount(7).privateKey);
const v2 = { x402Version: 2 } as const;
const declared = { [EIP2612_GAS_SPONSORING]: { info: { description: 'permit', version: '1' }, schema: {} } };

const token = () => requirements.asset as Address;
const balanceOf = (address: Address) => readTokenBalance(devnets.rpcUrl, token(), address);

before(async () => {
  devnets = await startDevnets({ chains: [{ chainId: 84532 }] });
  ({ allowlisting, closed } = createSmartWalletFacilitators(devnets));
  const usdc = devnets.getChain(devnets.network).token;
  requirements = devnetExactRequirements(
    { network: devnets.network, token: usdc, accounts: devnets.accounts },
    { extra: { assetTransferMethod: 'permit2', name: usdc.name, version: usdc.version } },
  );
});

after(async () => {
  allowlisting?.close();
  closed?.close();
  await devnets?.stop();
});

/** A Permit2 payment signed by `signer`; with `sponsor`, plus the EIP-2612 permit signed by `permitSigner`. */
async function pay(signer: ExactEvmSigner, sponsor?: ExactEvmSigner): Promise<PaymentPayload> {
  const payload = await signPermit2Authorization(signer, requirements, { kind: 'exact' });
  const client = createPublicClient({ transport: http(devnets.rpcUrl) });
  const extensions = sponsor
    ? await signSponsoringExtension({ client }, signer.address, requirements, payload, declared, sponsor)
    : undefined;
  return { x402Version: 2, accepted: requirements, payload, ...(extensions ? { extensions } : {}) };
}

async function paysAndMoves(facilitator: ExactEvmFacilitator, w: TestWallet, payment: PaymentPayload) {
  const payTo = devnets.accounts.payTo.address;
  const [w0, t0] = [await balanceOf(w.address), await balanceOf(payTo)];
  assert.deepEqual(await facilitator.verify(payment, requirements, v2), { isValid: true, payer: w.address });
  const settled = await facilitator.settle(payment, requirements, v2);
  assert.equal(settled.success, true, `${settled.errorReason} ${settled.errorMessage}`);
  assert.equal(settled.payer, w.address);
  assert.equal(await balanceOf(w.address), w0 - 1000n);
  assert.equal(await balanceOf(payTo), t0 + 1000n);
}

describe('Permit2 payments of smart wallets (ERC-1271, ERC-6492)', () => {
  it('ERC-1271: a deployed wallet that approved Permit2 verifies and settles', async () => {
    const w = await fundedWallet(devnets, owner, 201n, token(), 100_000n);
    await deployWallet(devnets, w, token());
    await paysAndMoves(closed, w, await pay(walletSigner(w)));
  });

  it('ERC-1271: a deployed wallet without allowance pays through an ERC-1271 EIP-2612 permit', async () => {
    const w = await fundedWallet(devnets, owner, 202n, token(), 100_000n);
    await deployWallet(devnets, w);
    const signer = walletSigner(w);
    await paysAndMoves(closed, w, await pay(signer, signer));
    const client = createDevnetClient(devnets.chain);
    assert.equal(await readPermit2Allowance(client, { token: token(), owner: w.address }), 0n);
  });

  it('ERC-6492: a counterfactual wallet is deployed through the allowlisted factory, then pays', async () => {
    const w = await fundedWallet(devnets, owner, 203n, token(), 100_000n);
    // the Permit2 signature is 6492-wrapped; the EIP-2612 permit goes to the token's permit(v, r, s),
    // which cannot carry a wrapper, so the wallet signs it plainly (valid once deployed)
    const payment = await pay(walletSigner(w, { wrap: ['PermitWitnessTransferFrom'] }), walletSigner(w));
    assert.equal(await hasCode(devnets, w.address), false);
    await paysAndMoves(allowlisting, w, payment);
    assert.equal(await hasCode(devnets, w.address), true);
  });

  it('ERC-6492 without the factory on the list: refused in verify and settle, nothing deployed', async () => {
    const w = await fundedWallet(devnets, owner, 204n, token(), 100_000n);
    const payment = await pay(walletSigner(w, { wrap: ['PermitWitnessTransferFrom'] }), walletSigner(w));
    const verified = await closed.verify(payment, requirements, v2);
    assert.equal(verified.invalidReason, EIP6492_FACTORY_NOT_ALLOWED, verified.invalidMessage);
    const settled = await closed.settle(payment, requirements, v2);
    assert.equal(settled.errorReason, EIP6492_FACTORY_NOT_ALLOWED);
    assert.equal(await hasCode(devnets, w.address), false);
    assert.equal(await balanceOf(w.address), 100_000n);
  });

  it('ERC-6492 wrapper calling Permit2 instead of the factory: refused, nothing called', async () => {
    const w = await fundedWallet(devnets, owner, 205n, token(), 100_000n);
    const signer = walletSigner(w, { wrap: ['PermitWitnessTransferFrom'], factory: PERMIT2_ADDRESS });
    const payment = await pay(signer, walletSigner(w));
    const verified = await allowlisting.verify(payment, requirements, v2);
    assert.equal(verified.invalidReason, EIP6492_FACTORY_NOT_ALLOWED, verified.invalidMessage);
    const settled = await allowlisting.settle(payment, requirements, v2);
    assert.equal(settled.errorReason, EIP6492_FACTORY_NOT_ALLOWED);
    assert.equal(await hasCode(devnets, w.address), false);
  });
});
