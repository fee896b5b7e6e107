import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { transferWithAuthorizationTypes } from '@x402kit/evm';
import { eip2612PermitTypes } from '@x402kit/evm/permit2';
import { authorizationArgs, type Eip3009Authorization } from '@x402kit/testing/authorization-args';
import { processIsGone } from '@x402kit/testing/process-gone';
import type { Address, Hex } from 'viem';
import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  http,
  parseSignature,
  parseUnits,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetAccount } from './accounts.js';
import type { Devnet } from './devnet.js';
import { startDevnet } from './devnet.js';
import { createDevnetClient } from './devnet-client.js';
import { DevnetOptionsError } from './errors.js';
import { eip3009TokenArtifact } from './generated/contracts.js';
import { mintTokens } from './mint-tokens.js';
import { MULTICALL3_ADDRESS } from './multicall3.js';
import { readTokenBalance } from './read-token-balance.js';

const abi = eip3009TokenArtifact.abi;
const BASE_SEPOLIA_USDC: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
/** x402-protocol.md Appendix A: USDC Base Sepolia (`USDC`, `2`, 84532). */
const BASE_SEPOLIA_USDC_DOMAIN_SEPARATOR =
  '0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818';

type Authorization = Eip3009Authorization;

function randomNonce(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Everything a test needs to sign and submit authorizations against one devnet. */
function harness(devnet: Devnet) {
  const publicClient = createPublicClient({ chain: devnet.chain, transport: http(), pollingInterval: 25 });
  const facilitator = createWalletClient({
    chain: devnet.chain,
    transport: http(),
    account: privateKeyToAccount(devnet.accounts.facilitator.privateKey),
  });
  const token = devnet.token.address;
  const domain = {
    name: devnet.token.name,
    version: devnet.token.version,
    chainId: devnet.chainId,
    verifyingContract: token,
  } as const;

  async function now(): Promise<bigint> {
    return (await publicClient.getBlock()).timestamp;
  }

  async function authorization(overrides: Partial<Authorization> = {}): Promise<Authorization> {
    const t = await now();
    return {
      from: devnet.accounts.payer.address,
      to: devnet.accounts.payTo.address,
      value: 1000n,
      validAfter: t - 600n,
      validBefore: t + 600n,
      nonce: randomNonce(),
      ...overrides,
    };
  }

  function sign(auth: Authorization, privateKey: Hex = devnet.accounts.payer.privateKey): Promise<Hex> {
    return privateKeyToAccount(privateKey).signTypedData({
      domain,
      types: transferWithAuthorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: auth,
    });
  }

  async function submitVrs(auth: Authorization, signature: Hex): Promise<void> {
    const { v, r, s } = parseSignature(signature);
    const hash = await facilitator.writeContract({
      address: token,
      abi,
      functionName: 'transferWithAuthorization',
      args: [...authorizationArgs(auth), Number(v), r, s],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
  }

  async function submitBytes(auth: Authorization, signature: Hex): Promise<void> {
    const hash = await facilitator.writeContract({
      address: token,
      abi,
      functionName: 'transferWithAuthorization',
      args: [...authorizationArgs(auth), signature],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
  }

  /** Whether the token has marked the authorization's nonce used (or canceled). */
  function authorizationState(auth: Authorization): Promise<boolean> {
    return publicClient.readContract({
      address: token,
      abi,
      functionName: 'authorizationState',
      args: [auth.from, auth.nonce],
    });
  }

  function balance(address: Address): Promise<bigint> {
    return readTokenBalance(devnet.rpcUrl, token, address);
  }

  return {
    publicClient,
    facilitator,
    token,
    domain,
    now,
    authorization,
    sign,
    submitVrs,
    submitBytes,
    authorizationState,
    balance,
  };
}

/** Asserts the promise rejects with an error whose message contains `reason` (the revert string). */
async function assertReverts(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Error, 'expected an Error');
    assert.ok(error.message.includes(reason), `expected "${reason}" in: ${error.message.slice(0, 400)}`);
    return true;
  });
}

describe('startDevnet with the defaults (Base Sepolia USDC)', () => {
  let devnet: Devnet;
  let h: ReturnType<typeof harness>;
  const logLines: string[] = [];

  before(async () => {
    const started = performance.now();
    devnet = await startDevnet({ port: 0, log: (line) => logLines.push(line) });
    h = harness(devnet);
    const ms = Math.round(performance.now() - started);
    const { anvil, setup } = devnet.startupMs;
    process.stderr.write(
      `# devnet ready in ${ms} ms (anvil ${Math.round(anvil)} ms, setup ${Math.round(setup)} ms)\n`,
    );
  });

  after(async () => {
    const pid = devnet?.pid;
    await devnet?.stop();
    await devnet?.stop(); // idempotent
    if (pid !== undefined) assert.ok(processIsGone(pid), `anvil pid ${pid} still alive after stop()`);
  });

  test('describes itself as the CLI prints it', () => {
    const description = devnet.describe();
    assert.deepEqual(Object.keys(description), ['rpcUrl', 'chainId', 'network', 'accounts', 'assets']);
    assert.match(description.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(description.chainId, 84532);
    assert.equal(description.network, 'eip155:84532');
    assert.deepEqual(Object.keys(description.accounts), ['payer', 'payTo', 'facilitator']);
    assert.deepEqual(description.assets, { USDC: BASE_SEPOLIA_USDC });
    assert.equal(description.accounts.payer.address, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    assert.deepEqual(JSON.parse(JSON.stringify(description)), description);
    assert.ok(logLines.some((line) => line.includes('ready on')));
  });

  test('the token answers as Base Sepolia USDC at its real address', async () => {
    const read = <const F extends 'name' | 'version' | 'decimals' | 'symbol' | 'DOMAIN_SEPARATOR'>(f: F) =>
      h.publicClient.readContract({ address: BASE_SEPOLIA_USDC, abi, functionName: f });
    assert.equal(await read('name'), 'USDC');
    assert.equal(await read('version'), '2');
    assert.equal(await read('decimals'), 6);
    assert.equal(await read('symbol'), 'USDC');
    assert.equal(await read('DOMAIN_SEPARATOR'), BASE_SEPOLIA_USDC_DOMAIN_SEPARATOR);
    assert.equal(
      await h.publicClient.readContract({
        address: BASE_SEPOLIA_USDC,
        abi,
        functionName: 'TRANSFER_WITH_AUTHORIZATION_TYPEHASH',
      }),
      '0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267',
    );
    const domain = await h.publicClient.getEip712Domain({ address: BASE_SEPOLIA_USDC });
    assert.deepEqual(domain.domain, {
      name: 'USDC',
      version: '2',
      chainId: 84532,
      verifyingContract: BASE_SEPOLIA_USDC,
      salt: `0x${'0'.repeat(64)}`,
    });
  });

  test('the payer holds 1000 USDC', async () => {
    assert.equal(await h.balance(devnet.accounts.payer.address), parseUnits('1000', 6));
  });

  test('Multicall3 is at its canonical address and answers', async () => {
    const code = await h.publicClient.getCode({ address: MULTICALL3_ADDRESS });
    assert.ok(code && code.length > 2);
    const [name, balance] = await h.publicClient.multicall({
      contracts: [
        { address: BASE_SEPOLIA_USDC, abi, functionName: 'name' },
        {
          address: BASE_SEPOLIA_USDC,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [devnet.accounts.payer.address],
        },
      ],
      allowFailure: false,
    });
    assert.equal(name, 'USDC');
    assert.ok(balance > 0n);
  });

  test('transferWithAuthorization (v,r,s) moves the funds, and its replay reverts', async () => {
    const { payer, payTo } = devnet.accounts;
    const [payerBefore, payToBefore] = await Promise.all([
      h.balance(payer.address),
      h.balance(payTo.address),
    ]);
    const auth = await h.authorization({ value: 1000n });
    const signature = await h.sign(auth);
    assert.equal(await h.authorizationState(auth), false);
    await h.submitVrs(auth, signature);
    assert.equal(await h.balance(payer.address), payerBefore - 1000n);
    assert.equal(await h.balance(payTo.address), payToBefore + 1000n);
    assert.equal(await h.authorizationState(auth), true);
    await assertReverts(h.submitVrs(auth, signature), 'FiatTokenV2: authorization is used or canceled');
  });

  test('AuthorizationUsed and Transfer are emitted', async () => {
    const auth = await h.authorization({ value: 7n });
    await h.submitVrs(auth, await h.sign(auth));
    const used = await h.publicClient.getContractEvents({
      address: h.token,
      abi,
      eventName: 'AuthorizationUsed',
      args: { authorizer: auth.from, nonce: auth.nonce },
      fromBlock: 0n,
    });
    assert.equal(used.length, 1);
  });

  test('a signature by another key reverts with "invalid signature"', async () => {
    const auth = await h.authorization();
    const wrong = await h.sign(auth, devnet.accounts.payTo.privateKey);
    await assertReverts(h.submitVrs(auth, wrong), 'FiatTokenV2: invalid signature');
    // The same for a tampered value under the payer's own signature.
    const signature = await h.sign(auth);
    await assertReverts(
      h.submitVrs({ ...auth, value: auth.value + 1n }, signature),
      'FiatTokenV2: invalid signature',
    );
  });

  test('an expired authorization reverts with "authorization is expired"', async () => {
    const t = await h.now();
    const auth = await h.authorization({ validAfter: 0n, validBefore: t - 1n });
    await assertReverts(h.submitVrs(auth, await h.sign(auth)), 'FiatTokenV2: authorization is expired');
  });

  test('a future authorization reverts with "authorization is not yet valid"', async () => {
    const t = await h.now();
    const auth = await h.authorization({ validAfter: t + 3600n, validBefore: t + 7200n });
    await assertReverts(h.submitVrs(auth, await h.sign(auth)), 'FiatTokenV2: authorization is not yet valid');
  });

  test('more than the balance reverts with "transfer amount exceeds balance"', async () => {
    const auth = await h.authorization({ value: parseUnits('1000000', 6) });
    await assertReverts(h.submitVrs(auth, await h.sign(auth)), 'ERC20: transfer amount exceeds balance');
  });

  test('the bytes overload accepts a 65-byte signature', async () => {
    const { payTo } = devnet.accounts;
    const before = await h.balance(payTo.address);
    const auth = await h.authorization({ value: 2500n });
    const signature = await h.sign(auth);
    assert.equal((signature.length - 2) / 2, 65);
    await h.submitBytes(auth, signature);
    assert.equal(await h.balance(payTo.address), before + 2500n);
    await assertReverts(h.submitBytes(auth, signature), 'FiatTokenV2: authorization is used or canceled');
  });

  test('receiveWithAuthorization requires the payee as caller', async () => {
    const { payer, payTo } = devnet.accounts;
    const t = await h.now();
    const message = {
      from: payer.address,
      to: payTo.address,
      value: 100n,
      validAfter: t - 600n,
      validBefore: t + 600n,
      nonce: randomNonce(),
    };
    const signature = await privateKeyToAccount(payer.privateKey).signTypedData({
      domain: h.domain,
      types: { ReceiveWithAuthorization: transferWithAuthorizationTypes.TransferWithAuthorization },
      primaryType: 'ReceiveWithAuthorization',
      message,
    });
    const { v, r, s } = parseSignature(signature);
    const args = [...authorizationArgs(message), Number(v), r, s] as const;
    await assertReverts(
      h.facilitator.writeContract({ address: h.token, abi, functionName: 'receiveWithAuthorization', args }),
      'FiatTokenV2: caller must be the payee',
    );
    const payee = createWalletClient({
      chain: devnet.chain,
      transport: http(),
      account: privateKeyToAccount(payTo.privateKey),
    });
    const before = await h.balance(payTo.address);
    const hash = await payee.writeContract({
      address: h.token,
      abi,
      functionName: 'receiveWithAuthorization',
      args,
    });
    assert.equal((await h.publicClient.waitForTransactionReceipt({ hash })).status, 'success');
    assert.equal(await h.balance(payTo.address), before + 100n);
  });

  test('cancelAuthorization burns the nonce', async () => {
    const { payer } = devnet.accounts;
    const auth = await h.authorization();
    const transferSignature = await h.sign(auth);
    const cancelSignature = await privateKeyToAccount(payer.privateKey).signTypedData({
      domain: h.domain,
      types: {
        CancelAuthorization: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'CancelAuthorization',
      message: { authorizer: payer.address, nonce: auth.nonce },
    });
    const hash = await h.facilitator.writeContract({
      address: h.token,
      abi,
      functionName: 'cancelAuthorization',
      args: [payer.address, auth.nonce, cancelSignature],
    });
    assert.equal((await h.publicClient.waitForTransactionReceipt({ hash })).status, 'success');
    await assertReverts(
      h.submitVrs(auth, transferSignature),
      'FiatTokenV2: authorization is used or canceled',
    );
  });

  test('an ERC-1271 wallet authorizes through the bytes overload', async () => {
    const client = createDevnetClient(devnet.chain);
    // Runtime code answering every call with 0x1626ba7e (isValidSignature's magic value), and one answering 0.
    const accepting: Address = '0x0000000000000000000000000000000000001271';
    const rejecting: Address = '0x0000000000000000000000000000000000001272';
    await client.setCode({ address: accepting, bytecode: '0x631626ba7e60e01b60005260206000f3' });
    await client.setCode({ address: rejecting, bytecode: '0x60206000f3' });
    await mintTokens(devnet, accepting, 5000n);
    await mintTokens(devnet, rejecting, 5000n);
    const signature: Hex = '0x1234';
    const ok = await h.authorization({ from: accepting, value: 5000n });
    await h.submitBytes(ok, signature);
    assert.equal(await h.balance(accepting), 0n);
    const bad = await h.authorization({ from: rejecting, value: 5000n });
    await assertReverts(h.submitBytes(bad, signature), 'FiatTokenV2: invalid signature');
  });

  test('EIP-2612 permit sets an allowance; transferFrom beyond it reverts with FiatToken text', async () => {
    const { payer, facilitator } = devnet.accounts;
    const nonce = await h.publicClient.readContract({
      address: h.token,
      abi,
      functionName: 'nonces',
      args: [payer.address],
    });
    const deadline = (await h.now()) + 600n;
    const signature = await privateKeyToAccount(payer.privateKey).signTypedData({
      domain: h.domain,
      types: eip2612PermitTypes,
      primaryType: 'Permit',
      message: { owner: payer.address, spender: facilitator.address, value: 300n, nonce, deadline },
    });
    const { v, r, s } = parseSignature(signature);
    const hash = await h.facilitator.writeContract({
      address: h.token,
      abi,
      functionName: 'permit',
      args: [payer.address, facilitator.address, 300n, deadline, Number(v), r, s],
    });
    assert.equal((await h.publicClient.waitForTransactionReceipt({ hash })).status, 'success');
    assert.equal(
      await h.publicClient.readContract({
        address: h.token,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [payer.address, facilitator.address],
      }),
      300n,
    );
    await assertReverts(
      h.facilitator.writeContract({
        address: h.token,
        abi,
        functionName: 'transferFrom',
        args: [payer.address, facilitator.address, 301n],
      }),
      'ERC20: transfer amount exceeds allowance',
    );
  });

  test('only the owner mints', async () => {
    await assertReverts(
      h.facilitator.writeContract({
        address: h.token,
        abi,
        functionName: 'mint',
        args: [devnet.accounts.facilitator.address, 1n],
      }),
      'OwnableUnauthorizedAccount',
    );
  });
});

describe('startDevnet with a custom chain and token', () => {
  test('chain 97 with an 18-decimals token at BSC USDT address, extra payers funded', async () => {
    const devnet = await startDevnet({
      chainId: 97,
      token: {
        address: '0x55d398326f99059ff775485246999027b3197955',
        name: 'Tether USD',
        version: '1',
        symbol: 'USDT',
        decimals: 18,
      },
      fundPayerWith: parseUnits('50', 18),
      extraPayers: 2,
    });
    try {
      const h = harness(devnet);
      const usdt: Address = '0x55d398326f99059fF775485246999027B3197955';
      assert.equal(devnet.network, 'eip155:97');
      assert.deepEqual(devnet.describe().assets, { USDT: usdt });
      assert.equal(await h.publicClient.getChainId(), 97);
      assert.equal(await h.publicClient.readContract({ address: usdt, abi, functionName: 'decimals' }), 18);
      assert.equal(
        await h.publicClient.readContract({ address: usdt, abi, functionName: 'name' }),
        'Tether USD',
      );
      assert.equal(await h.publicClient.readContract({ address: usdt, abi, functionName: 'version' }), '1');
      assert.equal(await h.balance(devnet.accounts.payer.address), parseUnits('50', 18));
      assert.deepEqual(
        devnet.extraPayers.map((a) => a.address),
        [devnetAccount(4).address, devnetAccount(5).address],
      );
      for (const extra of devnet.extraPayers)
        assert.equal(await h.balance(extra.address), parseUnits('50', 18));
      // Signing under chain id 97 and the custom domain settles.
      const auth = await h.authorization({ value: parseUnits('1.5', 18) });
      await h.submitVrs(auth, await h.sign(auth));
      assert.equal(await h.balance(devnet.accounts.payer.address), parseUnits('48.5', 18));
    } finally {
      await devnet.stop();
    }
  });

  test('interval mining and a symbol longer than 31 bytes (copied long-string storage)', async () => {
    const symbol = 'A-SYMBOL-LONGER-THAN-THIRTY-ONE-BYTES-XYZ';
    const devnet = await startDevnet({
      blockTime: 1,
      token: {
        address: '0x00000000000000000000000000000000000A11CE',
        name: 'Long',
        version: '3',
        symbol,
        decimals: 2,
      },
    });
    try {
      const client = createDevnetClient(devnet.chain);
      assert.equal(await client.getAutomine(), false);
      const token = devnet.token.address;
      assert.equal(await client.readContract({ address: token, abi, functionName: 'symbol' }), symbol);
      assert.deepEqual(devnet.describe().assets, { [symbol]: token });
      const to = devnetAccount(9).address;
      await mintTokens(devnet, to, 42n); // waits for the next interval block
      assert.equal(await readTokenBalance(devnet.rpcUrl, token, to), 42n);
    } finally {
      await devnet.stop();
    }
  });

  test('invalid options are rejected before anvil starts, naming the field', async () => {
    await assert.rejects(
      startDevnet({ token: { address: '0x1234', name: 'X', version: '1', symbol: 'X', decimals: 6 } }),
      (error: unknown) => error instanceof DevnetOptionsError && error.path === 'token.address',
    );
    await assert.rejects(
      startDevnet({
        token: { address: BASE_SEPOLIA_USDC, name: 'N'.repeat(32), version: '1', symbol: 'X', decimals: 6 },
      }),
      (error: unknown) => error instanceof DevnetOptionsError && error.path === 'token.name',
    );
    await assert.rejects(
      startDevnet({ fundPayerWith: -1n }),
      (error: unknown) => error instanceof DevnetOptionsError && error.path === 'fundPayerWith',
    );
  });
});
