import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { transferWithAuthorizationTypes } from '@x402kit/evm';
import { authorizationArgs } from '@x402kit/testing/authorization-args';
import {
  createWalletClient,
  hashTypedData,
  http,
  isErc6492Signature,
  parseErc6492Signature,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetAccount } from './accounts.js';
import type { DevnetClient } from './devnet-client.js';
import { createDevnetClient } from './devnet-client.js';
import {
  eip3009TokenArtifact,
  smartWalletArtifact,
  smartWalletFactoryArtifact,
} from './generated/contracts.js';
import { readTokenBalance } from './read-token-balance.js';
import {
  erc6492Signature,
  SMART_WALLET_FACTORY_ADDRESS,
  smartWalletAddress,
  smartWalletDeployData,
} from './smart-wallet.js';
import type { MultiDevnet } from './start-devnets.js';
import { startDevnets } from './start-devnets.js';

describe('ERC-1271 smart wallet and ERC-6492 factory', () => {
  let devnet: MultiDevnet;
  let client: DevnetClient;
  const owner = privateKeyToAccount(devnetAccount(1).privateKey);

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 84532 }] });
    client = createDevnetClient(devnet.chain);
  });
  after(async () => {
    await devnet?.stop();
  });

  test('the payer has a funded counterfactual wallet at the address the factory computes', async () => {
    const { address, owner: walletOwner, salt } = devnet.counterfactualWallet;
    assert.equal(walletOwner, owner.address);
    assert.equal(address, smartWalletAddress({ owner: owner.address, salt }));
    const onChain = await client.readContract({
      address: SMART_WALLET_FACTORY_ADDRESS,
      abi: smartWalletFactoryArtifact.abi,
      functionName: 'getAddress',
      args: [owner.address, salt],
    });
    assert.equal(onChain, address);
    assert.equal(await client.getCode({ address }), undefined);
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.chains[0]?.token.address ?? '0x', address),
      1_000_000_000n,
    );
  });

  test('a 6492-wrapped owner signature verifies before deployment; after it, isValidSignature and EIP-3009 work', async () => {
    const wallet = devnet.counterfactualWallet.address;
    const token = devnet.chains[0]?.token;
    assert.ok(token);
    const block = await client.getBlock();
    const typed = {
      domain: {
        name: token.name,
        version: token.version,
        chainId: devnet.chainId,
        verifyingContract: token.address,
      },
      types: transferWithAuthorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: {
        from: wallet,
        to: devnetAccount(2).address,
        value: 1234n,
        validAfter: 0n,
        validBefore: block.timestamp + 3600n,
        nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
      },
    } as const;
    const signature = await owner.signTypedData(typed);
    const wrapped = erc6492Signature({ owner: owner.address, signature });
    assert.ok(isErc6492Signature(wrapped));
    assert.ok(wrapped.endsWith('6492649264926492649264926492649264926492649264926492649264926492'));
    const parsed = parseErc6492Signature(wrapped);
    assert.equal(parsed.address, SMART_WALLET_FACTORY_ADDRESS);
    assert.equal(parsed.data, smartWalletDeployData({ owner: owner.address }));
    assert.equal(parsed.signature, signature);
    assert.equal(await client.verifyTypedData({ ...typed, address: wallet, signature: wrapped }), true);

    // Deploy (anyone may), then the wallet answers ERC-1271 for its owner only.
    const facilitator = createWalletClient({
      chain: devnet.chain,
      transport: http(),
      account: privateKeyToAccount(devnetAccount(3).privateKey),
    });
    await client.waitForTransactionReceipt({
      hash: await facilitator.sendTransaction({
        to: SMART_WALLET_FACTORY_ADDRESS,
        data: smartWalletDeployData({ owner: owner.address }),
      }),
    });
    const digest = hashTypedData(typed);
    const isValid = (sig: `0x${string}`) =>
      client.readContract({
        address: wallet,
        abi: smartWalletArtifact.abi,
        functionName: 'isValidSignature',
        args: [digest, sig],
      });
    assert.equal(await isValid(signature), '0x1626ba7e');
    const stranger = await privateKeyToAccount(devnetAccount(7).privateKey).signTypedData(typed);
    assert.equal(await isValid(stranger), '0xffffffff');

    const payTo = devnetAccount(2).address;
    const before = await readTokenBalance(devnet.rpcUrl, token.address, payTo);
    const { message } = typed;
    const receipt = await client.waitForTransactionReceipt({
      hash: await facilitator.writeContract({
        address: token.address,
        abi: eip3009TokenArtifact.abi,
        functionName: 'transferWithAuthorization',
        args: [...authorizationArgs(message), signature],
      }),
    });
    assert.equal(receipt.status, 'success');
    assert.equal(await readTokenBalance(devnet.rpcUrl, token.address, payTo), before + 1234n);
  });
});
