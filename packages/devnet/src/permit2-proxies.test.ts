import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eip2612PermitTypes, exactPermit2WitnessTypes, uptoPermit2WitnessTypes } from '@x402kit/evm/permit2';
import { approveToken } from '@x402kit/testing/approve-token';
import type { Address, Hex } from 'viem';
import {
  createWalletClient,
  http,
  keccak256,
  maxUint256,
  parseSignature,
  toFunctionSelector,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetAccount } from './accounts.js';
import { createDevnetClient } from './devnet-client.js';
import { DEVNET_PERMIT_TOKEN, DEVNET_PLAIN_TOKEN } from './erc20-tokens.js';
import {
  eip2612TokenArtifact,
  PERMIT2_CREATION_CODE_KECCAK,
  permit2CreationCode,
  x402ExactPermit2ProxyArtifact,
  x402UptoPermit2ProxyArtifact,
} from './generated/contracts.js';
import { PERMIT2_ADDRESS, permit2DomainSeparator } from './permit2.js';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './permit2-proxies.js';
import { readTokenBalance } from './read-token-balance.js';
import type { MultiDevnet } from './start-devnets.js';
import { startDevnets } from './start-devnets.js';

const exactAbi = x402ExactPermit2ProxyArtifact.abi;
const uptoAbi = x402UptoPermit2ProxyArtifact.abi;

/** x402-protocol.md Appendix A. */
const SELECTORS = {
  exactSettle: '0x13cd3b53',
  exactSettleWithPermit: '0xfa340378',
  uptoSettle: '0xff11e7b4',
  uptoSettleWithPermit: '0x016c1748',
  permit2Witness: '0x137c29fe',
} as const;

function selectorOf(abi: typeof exactAbi | typeof uptoAbi, name: string): Hex {
  const item = abi.find((i) => i.type === 'function' && i.name === name);
  assert.ok(item && item.type === 'function', `${name} in ABI`);
  return toFunctionSelector(item);
}

function randomNonce(): bigint {
  return BigInt(toHex(crypto.getRandomValues(new Uint8Array(32))));
}

describe('Permit2 and the x402 Permit2 proxies', () => {
  let devnet: MultiDevnet;
  const payerKey = devnetAccount(1).privateKey;
  const payer = privateKeyToAccount(payerKey);
  const facilitator = privateKeyToAccount(devnetAccount(3).privateKey);
  const payTo = devnetAccount(2).address;

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 84532 }] });
  });
  after(async () => {
    await devnet?.stop();
  });

  function wallets() {
    const chain = devnet.chain;
    return {
      client: createDevnetClient(chain),
      payerWallet: createWalletClient({ chain, transport: http(), account: payer }),
      facilitatorWallet: createWalletClient({ chain, transport: http(), account: facilitator }),
    };
  }

  /** The payer approves Permit2 for all of `token`, mined. */
  function approvePermit2(token: Address): Promise<void> {
    return approveToken({
      chain: devnet.chain,
      owner: payer,
      token,
      spender: PERMIT2_ADDRESS,
      amount: maxUint256,
    });
  }

  /** `signer`'s Permit2 PermitWitnessTransferFrom signature (chain 84532) of `permit` for the proxy `spender`. */
  function signPermit2(
    signer: typeof payer,
    spender: Address,
    permit: { permitted: { token: Address; amount: bigint }; nonce: bigint; deadline: bigint },
    witness: { to: Address; validAfter: bigint } | { to: Address; facilitator: Address; validAfter: bigint },
  ): Promise<Hex> {
    const domain = { name: 'Permit2', chainId: 84532, verifyingContract: PERMIT2_ADDRESS } as const;
    const message = { ...permit, spender, witness };
    return 'facilitator' in witness
      ? signer.signTypedData({
          domain,
          types: uptoPermit2WitnessTypes,
          primaryType: 'PermitWitnessTransferFrom',
          message: { ...message, witness },
        })
      : signer.signTypedData({
          domain,
          types: exactPermit2WitnessTypes,
          primaryType: 'PermitWitnessTransferFrom',
          message: { ...message, witness },
        });
  }

  /** `send()`, a facilitator's settle, is mined with success and pays `payTo` exactly `amount` of `token`. */
  async function assertSettles(token: Address, amount: bigint, send: () => Promise<Hex>): Promise<void> {
    const before = await readTokenBalance(devnet.rpcUrl, token, payTo);
    const receipt = await createDevnetClient(devnet.chain).waitForTransactionReceipt({ hash: await send() });
    assert.equal(receipt.status, 'success');
    assert.equal(await readTokenBalance(devnet.rpcUrl, token, payTo), before + amount);
  }

  async function now(): Promise<bigint> {
    const block = await createDevnetClient(devnet.chain).getBlock();
    return block.timestamp;
  }

  test('the generated Permit2 creation code has the published keccak256', () => {
    assert.equal(keccak256(permit2CreationCode), PERMIT2_CREATION_CODE_KECCAK);
  });

  test('Permit2 is at its canonical address with the Appendix A domain separator for 84532', async () => {
    const { client } = wallets();
    const abi = [
      {
        type: 'function',
        name: 'DOMAIN_SEPARATOR',
        inputs: [],
        outputs: [{ type: 'bytes32' }],
        stateMutability: 'view',
      },
    ] as const;
    const separator = await client.readContract({
      address: PERMIT2_ADDRESS,
      abi,
      functionName: 'DOMAIN_SEPARATOR',
    });
    assert.equal(separator, '0x010f27a92fb9a32622f44f001dc4d15706a85b33499cfc2ce9033113ab26592c');
    assert.equal(permit2DomainSeparator(84532), separator);
  });

  test('selectors match x402-protocol.md Appendix A', () => {
    assert.equal(selectorOf(exactAbi, 'settle'), SELECTORS.exactSettle);
    assert.equal(selectorOf(exactAbi, 'settleWithPermit'), SELECTORS.exactSettleWithPermit);
    assert.equal(selectorOf(uptoAbi, 'settle'), SELECTORS.uptoSettle);
    assert.equal(selectorOf(uptoAbi, 'settleWithPermit'), SELECTORS.uptoSettleWithPermit);
    assert.equal(
      toFunctionSelector(
        'permitWitnessTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes32,string,bytes)',
      ),
      SELECTORS.permit2Witness,
    );
  });

  test('witness type strings and typehashes match the protocol', async () => {
    const { client } = wallets();
    // The three getters have the same ABI in both proxies.
    const read = (address: Address, abi: typeof exactAbi) =>
      Promise.all([
        client.readContract({ address, abi, functionName: 'WITNESS_TYPEHASH' }),
        client.readContract({ address, abi, functionName: 'WITNESS_TYPE_STRING' }),
        client.readContract({ address, abi, functionName: 'PERMIT2' }),
      ]);
    // Full PermitWitnessTransferFrom typehashes (Appendix A) follow from Permit2's prefix + the type strings.
    const prefix =
      'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,';
    const proxies = [
      {
        address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
        witnessTypehash: '0xd97b3239a7f32295517bd14cb074edfdd188dfe5eb42f802bb26d4fd1eb12c37',
        witnessTypeString:
          'Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)',
        permitTypehash: '0xebc156cd23678a74c94df13d772ef5478420637f0c94bd10d509e1dc98f521c7',
      },
      {
        address: X402_UPTO_PERMIT2_PROXY_ADDRESS,
        witnessTypehash: '0xd4171c445a74218b01d4fd8af34ff1106580ea1e36ff837e64484bfaa2253b75',
        witnessTypeString:
          'Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,address facilitator,uint256 validAfter)',
        permitTypehash: '0x51dff6974ad4388c499e7fcfe838d2bd767162553a144098ce20ea661d70c2ee',
      },
    ];
    for (const proxy of proxies) {
      const [witnessTypehash, witnessTypeString, permit2] = await read(proxy.address, exactAbi);
      assert.equal(witnessTypehash, proxy.witnessTypehash);
      assert.equal(witnessTypeString, proxy.witnessTypeString);
      assert.equal(permit2, PERMIT2_ADDRESS);
      assert.equal(keccak256(toHex(`${prefix}${witnessTypeString}`)), proxy.permitTypehash);
    }
  });

  test('exact settle moves permitted.amount to witness.to through Permit2; replay and early fail', async () => {
    const { client, facilitatorWallet } = wallets();
    const token = devnet.getChain(84532).assets.USDC?.address;
    assert.ok(token);
    await approvePermit2(token);
    const t = await now();
    const permit = { permitted: { token, amount: 1_000n }, nonce: randomNonce(), deadline: t + 600n };
    const witness = { to: payTo, validAfter: t - 600n };
    const signature = await signPermit2(payer, X402_EXACT_PERMIT2_PROXY_ADDRESS, permit, witness);
    await assertSettles(token, 1_000n, () =>
      facilitatorWallet.writeContract({
        address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
        abi: exactAbi,
        functionName: 'settle',
        args: [permit, payer.address, witness, signature],
      }),
    );

    const early = { to: payTo, validAfter: t + 3600n };
    const zero = '0x0000000000000000000000000000000000000000';
    for (const [args, error] of [
      [[permit, payer.address, witness, signature], /InvalidNonce|0x756688fe/], // replayed
      [[permit, payer.address, early, signature], /PaymentTooEarly/],
      [[{ ...permit, permitted: { token, amount: 0n } }, payer.address, witness, signature], /InvalidAmount/],
      [[permit, zero, witness, signature], /InvalidOwner/],
      [[permit, payer.address, { ...witness, to: zero }, signature], /InvalidDestination/],
    ] as const) {
      await assert.rejects(
        client.simulateContract({
          account: facilitator.address,
          address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
          abi: exactAbi,
          functionName: 'settle',
          args,
        }),
        error,
      );
    }
  });

  test('exact settleWithPermit approves Permit2 with EIP-2612 and settles (PUSD, no prior approval)', async () => {
    const { client, facilitatorWallet } = wallets();
    const token = DEVNET_PERMIT_TOKEN.address;
    const owner = privateKeyToAccount(devnetAccount(1).privateKey);
    const t = await now();
    const amount = 2_500n;
    const deadline = t + 600n;
    const nonce = await client.readContract({
      address: token,
      abi: eip2612TokenArtifact.abi,
      functionName: 'nonces',
      args: [owner.address],
    });
    const permitSignature = parseSignature(
      await owner.signTypedData({
        domain: {
          name: DEVNET_PERMIT_TOKEN.name,
          version: DEVNET_PERMIT_TOKEN.version,
          chainId: 84532,
          verifyingContract: token,
        },
        types: eip2612PermitTypes,
        primaryType: 'Permit',
        message: { owner: owner.address, spender: PERMIT2_ADDRESS, value: amount, nonce, deadline },
      }),
    );
    const permit2612 = {
      value: amount,
      deadline,
      r: permitSignature.r,
      s: permitSignature.s,
      v: Number(permitSignature.v ?? 27n),
    };
    const permit = { permitted: { token, amount }, nonce: randomNonce(), deadline };
    const witness = { to: payTo, validAfter: t - 600n };
    const signature = await signPermit2(owner, X402_EXACT_PERMIT2_PROXY_ADDRESS, permit, witness);
    await assert.rejects(
      client.simulateContract({
        account: facilitator.address,
        address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
        abi: exactAbi,
        functionName: 'settleWithPermit',
        args: [{ ...permit2612, value: amount + 1n }, permit, owner.address, witness, signature],
      }),
      /Permit2612AmountMismatch/,
    );
    await assertSettles(token, amount, () =>
      facilitatorWallet.writeContract({
        address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
        abi: exactAbi,
        functionName: 'settleWithPermit',
        args: [permit2612, permit, owner.address, witness, signature],
      }),
    );
  });

  test('upto settle: only witness.facilitator, any amount up to the permitted maximum', async () => {
    const { client, facilitatorWallet } = wallets();
    const token = DEVNET_PLAIN_TOKEN.address;
    await approvePermit2(token);
    const t = await now();
    const permit = { permitted: { token, amount: 10_000n }, nonce: randomNonce(), deadline: t + 600n };
    const witness = { to: payTo, facilitator: facilitator.address, validAfter: t - 600n };
    const signature = await signPermit2(payer, X402_UPTO_PERMIT2_PROXY_ADDRESS, permit, witness);
    const call = (account: Address, amount: bigint) =>
      client.simulateContract({
        account,
        address: X402_UPTO_PERMIT2_PROXY_ADDRESS,
        abi: uptoAbi,
        functionName: 'settle',
        args: [permit, amount, payer.address, witness, signature],
      });
    await assert.rejects(call(devnetAccount(2).address, 4_000n), /UnauthorizedFacilitator/);
    await assert.rejects(call(facilitator.address, 10_001n), /AmountExceedsPermitted/);
    await assert.rejects(call(facilitator.address, 0n), /InvalidAmount/);
    await assertSettles(token, 4_000n, () =>
      facilitatorWallet.writeContract({
        address: X402_UPTO_PERMIT2_PROXY_ADDRESS,
        abi: uptoAbi,
        functionName: 'settle',
        args: [permit, 4_000n, payer.address, witness, signature],
      }),
    );
  });
});
