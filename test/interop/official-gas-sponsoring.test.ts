/**
 * Interop with the official x402 stack (@x402/core, evm, express, fetch, extensions 2.27) for the
 * Permit2 gas-sponsoring extensions, `eip2612GasSponsoring` (EIP-2612 token `DEVNET_PERMIT_TOKEN`)
 * and `erc20ApprovalGasSponsoring` (plain ERC-20 `DEVNET_PLAIN_TOKEN`), in three directions:
 * official client -> our server + facilitator; our client -> official server + facilitator;
 * official client -> official server -> our facilitator. Every payer holds tokens but no native gas
 * and no Permit2 allowance; each payment settles on chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePaymentResponseHeader } from '@x402kit/core';
import {
  confirmTransaction,
  createDevnetClient,
  DEVNET_PERMIT_TOKEN,
  DEVNET_PLAIN_TOKEN,
  devnetAccount,
  type MultiDevnet,
  mintWith,
  readTokenBalance,
  startDevnets,
} from '@x402kit/devnet';
import {
  EIP2612_GAS_SPONSORING,
  ERC20_APPROVAL_GAS_SPONSORING,
  MAX_UINT256,
  PERMIT2_ADDRESS,
  permit2Erc20Abi,
  readPermit2Allowance,
} from '@x402kit/evm';
import {
  officialSponsoringFetch,
  type Running,
  type SponsoredRoute,
  startOfficialSponsoringFacilitator,
  startOfficialSponsoringServer,
} from '@x402kit/testing/official';
import {
  ourSponsoringFetch,
  startOurSponsoringFacilitator,
  startOurSponsoringServer,
} from '@x402kit/testing/ours';
import { type Address, type Hex, parseEventLogs } from 'viem';

let devnets: MultiDevnet;
const running: Running[] = [];
let ours: Running;
let theirs: Running;
let theirsOverOurs: Running;
let nextPayer = 30;

const declare = (key: string) => ({ [key]: { info: { description: key, version: '1' }, schema: {} } });
const routes: SponsoredRoute[] = [
  {
    path: '/eip2612',
    amount: '1000',
    asset: DEVNET_PERMIT_TOKEN.address,
    extra: {
      assetTransferMethod: 'permit2',
      name: DEVNET_PERMIT_TOKEN.name,
      version: DEVNET_PERMIT_TOKEN.version,
    },
    extensions: declare(EIP2612_GAS_SPONSORING),
  },
  {
    path: '/erc20-approval',
    amount: '1000',
    asset: DEVNET_PLAIN_TOKEN.address,
    extra: { assetTransferMethod: 'permit2' },
    extensions: declare(ERC20_APPROVAL_GAS_SPONSORING),
  },
];

before(async () => {
  devnets = await startDevnets({ chains: [{ chainId: 84532 }] });
  const common = { rpcUrl: devnets.rpcUrl, network: devnets.network };
  const key = devnets.accounts.facilitator.privateKey as Hex;
  const ourFacilitator = await startOurSponsoringFacilitator({ ...common, privateKeys: [key] });
  running.push(ourFacilitator);
  // the official facilitator settles from another key: the two never race for one nonce
  const theirKey = devnetAccount(9).privateKey as Hex;
  const theirFacilitator = await startOfficialSponsoringFacilitator({
    ...common,
    privateKey: theirKey,
    chain: devnets.chain,
  });
  running.push(theirFacilitator);
  const payTo = devnets.accounts.payTo.address;
  const server = { payTo, network: devnets.network, routes };
  ours = await startOurSponsoringServer({ ...server, facilitatorUrl: ourFacilitator.url });
  theirs = await startOfficialSponsoringServer({ ...server, facilitatorUrl: theirFacilitator.url });
  theirsOverOurs = await startOfficialSponsoringServer({ ...server, facilitatorUrl: ourFacilitator.url });
  running.push(ours, theirs, theirsOverOurs);
});

after(async () => {
  for (const r of running) await r.close();
  await devnets?.stop();
});

/** A payer funded with `token` only: no native gas, no Permit2 allowance. */
async function gaslessPayer(token: Address): Promise<{ address: Address; privateKey: Hex }> {
  const payer = devnetAccount(nextPayer++);
  const client = createDevnetClient(devnets.chain);
  await confirmTransaction(
    client,
    await mintWith(client, {
      token,
      owner: devnets.accounts.deployer.address,
      to: payer.address,
      amount: 1_000_000n,
    }),
  );
  assert.equal(await client.getBalance({ address: payer.address }), 0n, 'the payer has no native gas');
  assert.equal(await readPermit2Allowance(client, { token, owner: payer.address }), 0n);
  return { address: payer.address, privateKey: payer.privateKey as Hex };
}

type Pay = (privateKey: Hex, rpcUrl: string) => typeof fetch;

/** Pay `route` at `base` with a fresh gasless payer; check the tokens moved and Permit2 was allowed. */
async function paysFor(pay: Pay, base: string, route: SponsoredRoute): Promise<void> {
  const token = route.asset as Address;
  const payer = await gaslessPayer(token);
  const payTo = devnets.accounts.payTo.address;
  const payTo0 = await readTokenBalance(devnets.rpcUrl, token, payTo);
  const res = await pay(payer.privateKey, devnets.rpcUrl)(`${base}${route.path}`);
  const body = await res.text();
  assert.equal(res.status, 200, `${body} ${res.headers.get('payment-required') ?? ''}`);
  const header = res.headers.get('payment-response');
  assert.ok(header, 'PAYMENT-RESPONSE header');
  const receipt = decodePaymentResponseHeader(header);
  assert.equal(receipt.success, true);
  assert.equal(receipt.payer?.toLowerCase(), payer.address.toLowerCase());
  assert.equal(await readTokenBalance(devnets.rpcUrl, token, payer.address), 1_000_000n - 1000n);
  assert.equal(await readTokenBalance(devnets.rpcUrl, token, payTo), payTo0 + 1000n);

  const client = createDevnetClient(devnets.chain);
  if (route.path === '/erc20-approval') {
    // the facilitator broadcast the payer's own approve(Permit2, max)
    assert.equal(await readPermit2Allowance(client, { token, owner: payer.address }), MAX_UINT256);
    return;
  }
  // EIP-2612: the settlement ran permit(payer, Permit2, 1000), then Permit2 spent exactly that
  const tx = await client.getTransactionReceipt({ hash: receipt.transaction as Hex });
  const approvals = parseEventLogs({ abi: approvalEventAbi, logs: tx.logs, eventName: 'Approval' }).filter(
    (log) =>
      log.address.toLowerCase() === token.toLowerCase() &&
      log.args.owner.toLowerCase() === payer.address.toLowerCase() &&
      log.args.spender.toLowerCase() === PERMIT2_ADDRESS.toLowerCase(),
  );
  assert.ok(
    approvals.some((a) => a.args.value === 1000n),
    'the settlement set the Permit2 allowance by permit',
  );
  const nonce = await client.readContract({
    address: token,
    abi: permit2Erc20Abi,
    functionName: 'nonces',
    args: [payer.address],
  });
  assert.equal(nonce, 1n, 'the EIP-2612 nonce was used');
}

const approvalEventAbi = [
  {
    type: 'event',
    name: 'Approval',
    inputs: [
      { name: 'owner', type: 'address', indexed: true },
      { name: 'spender', type: 'address', indexed: true },
      { name: 'value', type: 'uint256', indexed: false },
    ],
  },
] as const;

describe('interop with @x402/* 2.27: Permit2 gas-sponsoring extensions (gasless payers)', () => {
  for (const route of routes) {
    const name = route.path === '/eip2612' ? EIP2612_GAS_SPONSORING : ERC20_APPROVAL_GAS_SPONSORING;
    it(`${name}: official client -> our server + our facilitator`, () =>
      paysFor(officialSponsoringFetch, ours.url, route));
    it(`${name}: our client -> official server + official facilitator`, () =>
      paysFor(ourSponsoringFetch, theirs.url, route));
    it(`${name}: official client -> official server -> our facilitator`, () =>
      paysFor(officialSponsoringFetch, theirsOverOurs.url, route));
  }
});
