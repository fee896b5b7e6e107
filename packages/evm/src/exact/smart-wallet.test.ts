import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { Reasons } from '@x402kit/core';
import {
  createDevnetClient,
  type Devnet,
  devnetAccount,
  mintTokens,
  readTokenBalance,
  startDevnet,
} from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { type Address, concat, createPublicClient, getAddress, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ExactEvmSigner } from './client.js';
import { signExactEvmAuthorization } from './client.js';
import type { ExactEvmFacilitator } from './facilitator.js';
import { isHexBytes } from './signature.js';

/*
 * A minimal ERC-1271 wallet (solc 0.8.30, optimizer 200 runs, evm cancun):
 *
 *   contract TestWallet1271 {
 *       address public immutable owner;
 *       constructor(address owner_) { owner = owner_; }
 *       function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
 *           if (signature.length == 66) signature = signature[1:];   // a tagged form, to test non-65-byte signatures
 *           if (signature.length != 65) return 0xffffffff;
 *           bytes32 r = bytes32(signature[0:32]);
 *           bytes32 s = bytes32(signature[32:64]);
 *           uint8 v = uint8(signature[64]);
 *           address signer = ecrecover(hash, v, r, s);
 *           return signer != address(0) && signer == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
 *       }
 *   }
 */
const walletAbi = [
  { type: 'constructor', stateMutability: 'nonpayable', inputs: [{ name: 'owner_', type: 'address' }] },
] as const;
const walletBytecode: Hex = `0x${[
  '60a0604052348015600e575f5ffd5b50604051610382380380610382833981016040819052602b91603b565b6001600160a0',
  '1b03166080526066565b5f60208284031215604a575f5ffd5b81516001600160a01b0381168114605f575f5ffd5b93925050',
  '50565b6080516102fe6100845f395f8181606e015261019b01526102fe5ff3fe608060405234801561000f575f5ffd5b5060',
  '043610610034575f3560e01c80631626ba7e146100385780638da5cb5b14610069575b5f5ffd5b61004b6100463660046101',
  'f8565b6100a8565b6040516001600160e01b031990911681526020015b60405180910390f35b6100907f0000000000000000',
  '00000000000000000000000000000000000000000000000081565b6040516001600160a01b03909116815260200161006056',
  '5b5f60428290036100c4576100bf826001818661026f565b925092505b604182146100db57506001600160e01b03196101f1',
  '565b5f6100e9602082858761026f565b6100f291610296565b90505f61010360406020868861026f565b61010c9161029656',
  '5b90505f85856040818110610122576101226102b4565b604080515f808252602082018084528d9052949092013560f81c90',
  '8201819052606082018790526080820186905293506001915060a0016020604051602081039080840390855afa1580156101',
  '79573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b038116158015906101cf57507f00000000000000',
  '000000000000000000000000000000000000000000000000006001600160a01b0316816001600160a01b0316145b6101e157',
  '6001600160e01b03196101ea565b630b135d3f60e11b5b9450505050505b9392505050565b5f5f5f6040848603121561020a',
  '575f5ffd5b83359250602084013567ffffffffffffffff811115610227575f5ffd5b8401601f81018613610237575f5ffd5b',
  '803567ffffffffffffffff81111561024d575f5ffd5b86602082840101111561025e575f5ffd5b9396602091909101955092',
  '93505050565b5f5f8585111561027d575f5ffd5b83861115610289575f5ffd5b5050820193919092039150565b8035602083',
  '10156102ae575f19602084900360031b1b165b92915050565b634e487b7160e01b5f52603260045260245ffdfea264697066',
  '73582212204e892e570572947ee00d9f486b1a452d31c36fab3874695d458c310417e6472f64736f6c634300081e0033',
].join('')}`;

let devnet: Devnet;
let facilitator: ExactEvmFacilitator;
let requirements: PaymentRequirements;
let wallet: Address;
const owner = privateKeyToAccount(devnetAccount(10).privateKey);
const stranger = privateKeyToAccount(devnetAccount(11).privateKey);
const v2 = { x402Version: 2 } as const;

before(async () => {
  devnet = await startDevnet();
  const client = createDevnetClient(devnet.chain);
  const hash = await client.deployContract({
    abi: walletAbi,
    bytecode: walletBytecode,
    args: [owner.address],
    account: devnet.accounts.deployer.address,
    chain: devnet.chain,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  assert.ok(receipt.contractAddress);
  wallet = getAddress(receipt.contractAddress);
  await mintTokens(devnet, wallet, 1_000_000n);
  facilitator = devnetExactEvmFacilitator(devnet);
  requirements = devnetExactRequirements(devnet);
});

after(async () => {
  facilitator?.close();
  await devnet?.stop();
});

/** The wallet "signs" with its owner's key; `tag` prefixes one byte (a 66-byte signature). */
function walletSigner(key: typeof owner, tag?: Hex): ExactEvmSigner {
  return {
    address: wallet,
    async signTypedData(typedData) {
      const signature = await key.signTypedData(typedData);
      return tag ? concat([tag, signature]) : signature;
    },
  };
}

async function pay(signer: ExactEvmSigner): Promise<PaymentPayload> {
  return {
    x402Version: 2,
    accepted: requirements,
    payload: await signExactEvmAuthorization(signer, requirements),
  };
}

const balanceOf = (address: Address) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

describe('smart-wallet (ERC-1271) payers', () => {
  it('verifies and settles a 65-byte signature of a contract wallet', async () => {
    const payment = await pay(walletSigner(owner));
    assert.deepEqual(await facilitator.verify(payment, requirements, v2), { isValid: true, payer: wallet });
    const before = await balanceOf(wallet);
    const settled = await facilitator.settle(payment, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    assert.equal(settled.payer, wallet);
    assert.equal(await balanceOf(wallet), before - 1000n);
  });

  it('verifies and settles a non-65-byte signature through the bytes overload', async () => {
    const payment = await pay(walletSigner(owner, '0x01'));
    const signature = payment.payload.signature;
    assert.ok(isHexBytes(signature) && (signature.length - 2) / 2 === 66);
    assert.deepEqual(await facilitator.verify(payment, requirements, v2), { isValid: true, payer: wallet });
    const settled = await facilitator.settle(payment, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    const hash = settled.transaction;
    assert.ok(isHexBytes(hash));
    const tx = await createPublicClient({ transport: http(devnet.rpcUrl) }).getTransaction({ hash });
    assert.equal(tx.input.slice(0, 10), '0xcf092995');
  });

  it('rejects a signature the wallet does not accept', async () => {
    for (const signer of [walletSigner(stranger), walletSigner(stranger, '0x01')]) {
      const payment = await pay(signer);
      const verified = await facilitator.verify(payment, requirements, v2);
      assert.equal(verified.invalidReason, Reasons.exactEvmSignature, verified.invalidMessage);
      assert.equal(verified.payer, wallet);
      const settled = await facilitator.settle(payment, requirements, v2);
      assert.equal(settled.errorReason, Reasons.exactEvmSignature);
    }
  });
});
