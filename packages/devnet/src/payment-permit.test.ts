import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildPaymentPermitDomain,
  type PaymentPermitMessage,
  paymentPermitTypes,
} from '@x402kit/payment-permit';
import { approveToken } from '@x402kit/testing/approve-token';
import { PAYMENT_PERMIT_VECTOR, PAYMENT_PERMIT_VECTOR_MESSAGE } from '@x402kit/testing/payment-permit-vector';
import { readReturnsBool } from '@x402kit/testing/read-returns-bool';
import type { Address, Hex } from 'viem';
import { createWalletClient, domainSeparator, hashTypedData, http, maxUint256, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEVNET_ACCOUNTS, devnetAccount } from './accounts.js';
import type { DevnetClient } from './devnet-client.js';
import { createDevnetClient } from './devnet-client.js';
import { BSC_TESTNET_USDT_ADDRESS } from './erc20-tokens.js';
import { paymentPermitArtifact } from './generated/contracts.js';
import { mintWith } from './mint-with.js';
import { PAYMENT_PERMIT_ADDRESS } from './payment-permit.js';
import { placeErc20Token } from './place-erc20-token.js';
import { readTokenBalance } from './read-token-balance.js';
import type { MultiDevnet } from './start-devnets.js';
import { startDevnets } from './start-devnets.js';

const abi = paymentPermitArtifact.abi;
const paymentPermitDomain97 = buildPaymentPermitDomain(97, PAYMENT_PERMIT_ADDRESS);

/** tron-bsc-bofai.md section 1.2 test vector. */
const VECTOR = PAYMENT_PERMIT_VECTOR;

/** The §1.2 message with the devnet's token, caller and recipients. */
function vectorMessage(overrides: {
  payToken: Address;
  caller: Address;
  feeTo: Address;
  payTo: Address;
}): PaymentPermitMessage {
  const message = PAYMENT_PERMIT_VECTOR_MESSAGE;
  return {
    meta: { ...message.meta },
    buyer: message.buyer,
    caller: overrides.caller,
    payment: { payToken: overrides.payToken, payAmount: message.payment.payAmount, payTo: overrides.payTo },
    fee: { feeTo: overrides.feeTo, feeAmount: message.fee.feeAmount },
  };
}

describe('PaymentPermit', () => {
  let devnet: MultiDevnet;
  let client: DevnetClient;
  const buyer = privateKeyToAccount(VECTOR.privateKey);
  const caller = privateKeyToAccount(devnetAccount(3).privateKey);
  const payTo = devnetAccount(2).address;
  const feeTo = devnetAccount(9).address;

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 97 }] });
    client = createDevnetClient(devnet.chain);
    await client.setBalance({ address: buyer.address, value: parseEther('10') });
  });
  after(async () => {
    await devnet?.stop();
  });

  test('the section 1.2 test vector: typehash, domain separator, digest and signature', async () => {
    const message = vectorMessage({
      payToken: '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f',
      caller: '0x3333333333333333333333333333333333333333',
      feeTo: '0x3333333333333333333333333333333333333333',
      payTo: '0x2222222222222222222222222222222222222222',
    });
    const domain = buildPaymentPermitDomain(VECTOR.chainId, VECTOR.verifyingContract);
    assert.equal(domainSeparator({ domain }), VECTOR.separator);
    const typed = {
      domain,
      types: paymentPermitTypes,
      primaryType: 'PaymentPermitDetails',
      message,
    } as const;
    assert.equal(hashTypedData(typed), VECTOR.digest);
    assert.equal(await buyer.signTypedData(typed), VECTOR.signature);
    const onChain = await client.readContract({
      address: PAYMENT_PERMIT_ADDRESS,
      abi,
      functionName: 'PAYMENT_PERMIT_DETAILS_TYPEHASH',
    });
    assert.equal(onChain, VECTOR.typehash);
  });

  test('is at its BSC address with the no-version domain of chain 97', async () => {
    const separator = await client.readContract({
      address: PAYMENT_PERMIT_ADDRESS,
      abi,
      functionName: 'DOMAIN_SEPARATOR',
    });
    assert.equal(separator, domainSeparator({ domain: paymentPermitDomain97 }));
  });

  /** `owner` (the §1.2 buyer by default) holds `amount` of `token` and lets PaymentPermit move `allowance`. */
  async function setUpToken(token: Address, owner = buyer, amount = 10n ** 24n, allowance = maxUint256) {
    await mintWith(client, { token, owner: DEVNET_ACCOUNTS.deployer.address, to: owner.address, amount });
    await approveToken({
      chain: devnet.chain,
      owner,
      token,
      spender: PAYMENT_PERMIT_ADDRESS,
      amount: allowance,
    });
  }

  /** `signer` signs `message` as PaymentPermitDetails on the chain-97 domain. */
  function signPermit(signer: typeof buyer, message: PaymentPermitMessage): Promise<Hex> {
    return signer.signTypedData({
      domain: paymentPermitDomain97,
      types: paymentPermitTypes,
      primaryType: 'PaymentPermitDetails',
      message,
    });
  }

  /** `account` (the caller by default) simulates permitTransferFrom(message, owner, signature). */
  function simulatePermit(
    message: PaymentPermitMessage,
    owner: Address,
    signature: Hex,
    account = caller.address,
  ) {
    return client.simulateContract({
      account,
      address: PAYMENT_PERMIT_ADDRESS,
      abi,
      functionName: 'permitTransferFrom',
      args: [message, owner, signature],
    });
  }

  async function signedPermit(token: Address, nonce: bigint) {
    const block = await client.getBlock();
    const base = vectorMessage({ payToken: token, caller: caller.address, feeTo, payTo });
    const message = {
      ...base,
      meta: { ...base.meta, nonce, validAfter: block.timestamp - 60n, validBefore: block.timestamp + 3600n },
    };
    return { message, signature: await signPermit(buyer, message) };
  }

  for (const returnsBool of [true, false]) {
    test(`permitTransferFrom pays payTo and feeTo; replay and wrong caller fail (transfer returns ${returnsBool ? 'bool' : 'nothing'})`, async () => {
      let token: Address = BSC_TESTNET_USDT_ADDRESS;
      if (!returnsBool) {
        token = '0x0000000000000000000000000000000000b5d700';
        await placeErc20Token(client, {
          token: {
            kind: 'erc20',
            address: token,
            name: 'Tether USD',
            symbol: 'USDT',
            decimals: 6,
            returnsBool: false,
          },
          owner: DEVNET_ACCOUNTS.deployer.address,
        });
        assert.equal(await readReturnsBool(client, token), false);
      }
      await setUpToken(token);
      const nonce = returnsBool ? 123456789n : 987654321n;
      const { message, signature } = await signedPermit(token, nonce);
      const callerWallet = createWalletClient({ chain: devnet.chain, transport: http(), account: caller });

      await assert.rejects(
        simulatePermit(message, buyer.address, signature, devnetAccount(5).address),
        /InvalidCaller/,
      );
      const [payBefore, feeBefore] = await Promise.all([
        readTokenBalance(devnet.rpcUrl, token, payTo),
        readTokenBalance(devnet.rpcUrl, token, feeTo),
      ]);
      const receipt = await client.waitForTransactionReceipt({
        hash: await callerWallet.writeContract({
          address: PAYMENT_PERMIT_ADDRESS,
          abi,
          functionName: 'permitTransferFrom',
          args: [message, buyer.address, signature],
        }),
      });
      assert.equal(receipt.status, 'success');
      assert.equal(await readTokenBalance(devnet.rpcUrl, token, payTo), payBefore + 1000000n);
      assert.equal(await readTokenBalance(devnet.rpcUrl, token, feeTo), feeBefore + 100n);
      assert.equal(
        await client.readContract({
          address: PAYMENT_PERMIT_ADDRESS,
          abi,
          functionName: 'nonceUsed',
          args: [buyer.address, nonce],
        }),
        true,
      );
      const word = await client.readContract({
        address: PAYMENT_PERMIT_ADDRESS,
        abi,
        functionName: 'nonceBitmap',
        args: [buyer.address, nonce >> 8n],
      });
      assert.equal((word >> (nonce & 0xffn)) & 1n, 1n);
      await assert.rejects(simulatePermit(message, buyer.address, signature), /NonceAlreadyUsed/);
    });
  }

  test('checks buyer, kind, time window and signature with their custom errors', async () => {
    const token = BSC_TESTNET_USDT_ADDRESS;
    const { message, signature } = await signedPermit(token, 555n);
    await assert.rejects(simulatePermit(message, payTo, signature), /BuyerMismatch/);
    await assert.rejects(
      simulatePermit({ ...message, meta: { ...message.meta, kind: 1 } }, buyer.address, signature),
      /InvalidKind/,
    );
    await assert.rejects(
      simulatePermit(
        { ...message, meta: { ...message.meta, validBefore: message.meta.validAfter } },
        buyer.address,
        signature,
      ),
      /InvalidTimestamp/,
    );
    await assert.rejects(simulatePermit(message, buyer.address, `${signature}00`), /InvalidSignature/);
    await assert.rejects(
      simulatePermit(
        { ...message, payment: { ...message.payment, payAmount: 2n } },
        buyer.address,
        signature,
      ),
      /InvalidSignature/,
    );
    const broke = privateKeyToAccount(devnetAccount(12).privateKey);
    const brokeMessage = { ...message, buyer: broke.address };
    const brokeSignature = await signPermit(broke, brokeMessage);
    await assert.rejects(simulatePermit(brokeMessage, broke.address, brokeSignature), /Payment failed/);
  });

  test('reverts "Fee failed" when the allowance covers the payment but not the fee', async () => {
    const token = BSC_TESTNET_USDT_ADDRESS;
    const lowBuyer = privateKeyToAccount(devnetAccount(13).privateKey);
    await client.setBalance({ address: lowBuyer.address, value: parseEther('1') });
    await setUpToken(token, lowBuyer, 10n ** 20n, 1000000n);
    const { message } = await signedPermit(token, 777n);
    const lowMessage = { ...message, buyer: lowBuyer.address };
    const signature = await signPermit(lowBuyer, lowMessage);
    await assert.rejects(simulatePermit(lowMessage, lowBuyer.address, signature), /Fee failed/);
  });
});
