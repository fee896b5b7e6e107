/**
 * Interop with BofAI's `@bankofai/x402` 0.5.8 `exact_permit` EVM client: its payload equals ours
 * for the same inputs (no chain), and its `X402Client` + `X402FetchClient` +
 * `ExactPermitEvmClientMechanism` (agent-wallet `EvmSigner`, signatures without 0x, its own
 * approve) pay our server + facilitator on a BSC-testnet devnet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EvmSigner } from '@bankofai/agent-wallet';
import {
  type ClientSigner,
  EVM_RPC_URLS,
  EvmClientSigner,
  ExactPermitEvmClientMechanism,
  X402Client,
  X402FetchClient,
} from '@bankofai/x402';
import { devnetAccount, type MultiDevnet, readTokenBalance, startDevnets } from '@x402kit/devnet';
import { createPaymentPermitContext, signExactPermit } from '@x402kit/evm';
import { getPaymentResponse } from '@x402kit/http';
import {
  type ExactPermitStack,
  startOurExactPermitStack,
  BSC_TESTNET_USDT as USDT,
} from '@x402kit/testing/exact-permit-evm';
import { getAddress, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const FEE_TO = getAddress('0x000000000000000000000000000000000000fee2');
const FEE = 100n;
const PRICE = 10n ** 16n;

/** BofAI's EVM signer over an agent-wallet local key (the wallet returns signatures without 0x). */
function bofaiSigner(key: Hex): EvmClientSigner {
  const signer = new EvmClientSigner(new EvmSigner(hexToBytes(key)));
  signer.setAddress(privateKeyToAccount(key).address);
  return signer;
}

describe('BofAI exact_permit client: same payload as ours (no chain)', () => {
  it('builds the same paymentPermit and an equivalent signature', async () => {
    const key: Hex = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
    const account = privateKeyToAccount(key);
    const wallet = new EvmSigner(hexToBytes(key));
    // BofAI's mechanism with its allowance step stubbed (no RPC here)
    const signer: ClientSigner = {
      getAddress: () => account.address,
      signMessage: (m) => wallet.signMessage(m),
      signTypedData: (domain, types, message, primaryType) =>
        wallet.signTypedData({ domain, types: { EIP712Domain: [], ...types }, message, primaryType }),
      checkBalance: async () => 0n,
      checkAllowance: async () => 0n,
      ensureAllowance: async () => true,
    };
    // a plain literal: it is both our PaymentRequirements and BofAI's
    const requirements = {
      scheme: 'exact_permit',
      network: 'eip155:97',
      amount: PRICE.toString(),
      asset: USDT,
      payTo: getAddress('0x2222222222222222222222222222222222222222'),
      maxTimeoutSeconds: 300,
      extra: { name: 'Tether USD', version: '1', fee: { feeTo: FEE_TO, feeAmount: '100', caller: FEE_TO } },
    };
    const context = createPaymentPermitContext();
    const theirs = await new ExactPermitEvmClientMechanism(signer).createPaymentPayload(
      requirements,
      'http://x/y',
      {
        paymentPermitContext: context,
      },
    );
    const ours = await signExactPermit(account, requirements, { paymentPermitContext: context });
    assert.deepEqual(theirs.payload.paymentPermit, ours.paymentPermit);
    assert.equal(`0x${theirs.payload.signature}`, ours.signature);
    assert.deepEqual(theirs.accepted, requirements);
  });
});

describe('BofAI exact_permit client paying our server + facilitator (devnet chain 97)', () => {
  let devnet: MultiDevnet;
  let rpcUrl: string;
  let stack: ExactPermitStack;
  const previousRpc = EVM_RPC_URLS['eip155:97'];

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 97 }], extraPayers: 1 });
    rpcUrl = devnet.getChain(97).rpcUrl;
    // BofAI's signer reads allowances and sends its approve through its built-in RPC map
    EVM_RPC_URLS['eip155:97'] = rpcUrl;
    stack = await startOurExactPermitStack(devnet, { feeTo: FEE_TO, fee: FEE });
  });

  after(async () => {
    if (previousRpc === undefined) delete EVM_RPC_URLS['eip155:97'];
    else EVM_RPC_URLS['eip155:97'] = previousRpc;
    await stack?.close();
    await devnet?.stop();
  });

  it('approves, signs and pays; balances move by amount and fee', async () => {
    const payer = devnetAccount(4); // funded, never approved: BofAI's client sends its own approve
    const balance = (a: string) => readTokenBalance(rpcUrl, USDT, getAddress(a));
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0, f0] = [await balance(payer.address), await balance(payTo), await balance(FEE_TO)];
    const client = new X402Client().register(
      'eip155:*',
      new ExactPermitEvmClientMechanism(bofaiSigner(payer.privateKey as Hex)),
    );
    const res = await new X402FetchClient(client).get(`${stack.serverUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { weather: 'sunny' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.equal(await balance(payer.address), p0 - PRICE - FEE);
    assert.equal(await balance(payTo), t0 + PRICE);
    assert.equal(await balance(FEE_TO), f0 + FEE);
  });
});
