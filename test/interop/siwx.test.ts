/**
 * Sign-in-with-x (CAIP-122) on the devnet, and against `@x402/extensions` 2.27: our paying fetch
 * pays a `signInWithX` route once, then re-enters it by signing the server's challenge (no second
 * payment: balances unchanged, the handler runs); a replayed proof, one for another domain, an
 * expired one, one from a wallet that never paid, and one with a forged signature are refused with
 * their reason in the 402. Smart wallets sign in through the chain (EIP-1271 deployed, EIP-6492
 * counterfactual). Both ways with the official helpers: their `wrapFetchWithSIWx` signs our
 * challenge and gets in; our proofs (EVM and Solana) pass their `validateSIWxMessage` and
 * `verifySIWxSignature`, and their Solana signature passes ours.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  encodeSIWxHeader,
  parseSIWxHeader,
  signSolanaMessage,
  validateSIWxMessage,
  verifySIWxSignature,
  wrapFetchWithSIWx,
} from '@x402/extensions/sign-in-with-x';
import {
  createMemorySiwxStore,
  createSiwxProof,
  createX402Client,
  decodePaymentRequiredHeader,
  encodeSiwxHeader,
  evmSiwxSigner,
  formatSiwxMessage,
  SIGN_IN_WITH_X,
  SIWX_HEADER,
  type SiwxDeclaration,
  SiwxPayload,
  solanaSiwxSigner,
  verifySiwxSignature,
  verifySolanaSiwx,
} from '@x402kit/core';
import {
  type Devnet,
  readTokenBalance,
  SMART_WALLET_FACTORY_ADDRESS,
  smartWalletAddress,
  smartWalletDeployData,
  startDevnet,
} from '@x402kit/devnet';
import { createEvmSiwxVerifier, createExactEvmClient } from '@x402kit/evm';
import { getPaymentResponse, signInWithX, wrapFetchWithPayment } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator, startOurPaidApi } from '@x402kit/testing/ours';
import { createPublicClient, createWalletClient, type Hex, http, serializeErc6492Signature } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const SOLANA_DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';

describe('sign-in-with-x: a payer re-enters without paying again, interop with @x402/extensions 2.27', () => {
  let devnet: Devnet;
  let facilitator: Running | undefined;
  let api: Running | undefined;
  let calls = 0;
  const sentProofs: string[] = [];

  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    api = await startOurPaidApi({
      facilitatorUrl: facilitator.url,
      routes: {
        'GET /article': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
          signInWithX: { statement: 'Sign in to read the article you bought' },
        },
      },
      options: { signInWithX: { verifiers: { eip155: createEvmSiwxVerifier() } } },
      serve(app) {
        app.get('/article', (req, res) => {
          calls++;
          const proof = req.header('sign-in-with-x');
          if (proof) sentProofs.push(proof);
          res.json({ article: 'the full text' });
        });
      },
    });
  });
  after(async () => {
    await api?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  const balances = async () => ({
    payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address as Hex),
    payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address as Hex),
  });
  const challenge = async (): Promise<SiwxDeclaration> => {
    assert.ok(api);
    const res = await fetch(`${api.url}/article`);
    assert.equal(res.status, 402);
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version, 2);
    const declared = pr.x402Version === 2 ? pr.extensions?.[SIGN_IN_WITH_X] : undefined;
    assert.ok(declared);
    return declared as SiwxDeclaration;
  };
  /** The 402's error after sending `header` as the proof. */
  const refusalOf = async (header: string): Promise<string> => {
    assert.ok(api);
    const before = calls;
    const res = await fetch(`${api.url}/article`, { headers: { [SIWX_HEADER]: header } });
    assert.equal(res.status, 402);
    assert.equal(calls, before, 'the handler must not run');
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    return pr.x402Version === 2 ? (pr.error ?? '') : '';
  };
  const payer = () => privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);

  it('declares a fresh challenge in each 402, bound to the origin and path', async () => {
    assert.ok(api);
    const a = await challenge();
    const b = await challenge();
    const origin = new URL(api.url);
    assert.equal(a.info.domain, origin.host);
    assert.equal(a.info.uri, `${origin.origin}/article`);
    assert.equal(a.info.version, '1');
    assert.equal(a.info.statement, 'Sign in to read the article you bought');
    assert.match(a.info.nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(a.info.nonce, b.info.nonce);
    assert.ok(Date.parse(a.info.expirationTime ?? '') > Date.now());
    assert.deepEqual(a.supportedChains, [{ chainId: devnet.network, type: 'eip191' }]);
  });

  it('our client pays once, then signs in: no second payment, the handler runs', async () => {
    assert.ok(api);
    const account = payer();
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: account }) }],
    });
    const pay = wrapFetchWithPayment(fetch, client, {
      onPaymentRequired: signInWithX(evmSiwxSigner(account)),
    });
    const start = await balances();
    const first = await pay(`${api.url}/article`);
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal(getPaymentResponse(first)?.success, true);
    const paid = await balances();
    assert.equal(start.payer - paid.payer, 1000n);
    assert.equal(paid.payTo - start.payTo, 1000n);

    const callsBefore = calls;
    const again = await pay(`${api.url}/article`);
    assert.equal(again.status, 200, await again.clone().text());
    assert.deepEqual(await again.json(), { article: 'the full text' });
    assert.equal(again.headers.get('payment-response'), null, 'no payment was made');
    assert.equal(calls, callsBefore + 1);
    assert.deepEqual(await balances(), paid);
    assert.ok(sentProofs.length >= 1);
  });

  it('refuses a replayed proof (its nonce is used)', async () => {
    const used = sentProofs.at(-1);
    assert.ok(used);
    assert.match(await refusalOf(used), /^sign-in-with-x refused \(invalid_siwx_nonce\)/);
  });

  it('refuses a proof for another domain, an expired one and a too-old one', async () => {
    const account = payer();
    const sign = async (info: SiwxDeclaration['info']) => {
      const fields = { ...info, chainId: devnet.network };
      const signature = await account.signMessage({ message: formatSiwxMessage(fields, account.address) });
      return encodeSiwxHeader({ ...fields, address: account.address, type: 'eip191', signature });
    };
    const fresh = await challenge();
    assert.match(
      await refusalOf(await sign({ ...fresh.info, domain: 'evil.example' })),
      /\(invalid_siwx_domain_mismatch\)/,
    );
    const uri = new URL(fresh.info.uri);
    uri.port = '1';
    assert.match(
      await refusalOf(await sign({ ...fresh.info, uri: uri.toString() })),
      /\(invalid_siwx_uri_mismatch\)/,
    );
    const expired = await challenge();
    assert.match(
      await refusalOf(
        await sign({ ...expired.info, expirationTime: new Date(Date.now() - 1000).toISOString() }),
      ),
      /\(invalid_siwx_expired\)/,
    );
    const old = await challenge();
    assert.match(
      await refusalOf(await sign({ ...old.info, issuedAt: new Date(Date.now() - 3_600_000).toISOString() })),
      /\(invalid_siwx_issued_at_too_old\)/,
    );
    // a signature over other fields than those sent
    const forged = await challenge();
    const header = await sign(forged.info);
    const proof = SiwxPayload.parse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')));
    assert.match(
      await refusalOf(encodeSiwxHeader({ ...proof, nonce: 'f'.repeat(32) })),
      /\(invalid_siwx_signature\)/,
    );
    assert.match(await refusalOf('not base64!'), /\(invalid_siwx_header\)/);
  });

  it('refuses a wallet that never paid, signature valid or not', async () => {
    assert.ok(api);
    const stranger = privateKeyToAccount(generatePrivateKey());
    const proof = await createSiwxProof(await challenge(), evmSiwxSigner(stranger), `${api.url}/article`);
    assert.ok(proof);
    assert.match(await refusalOf(encodeSiwxHeader(proof)), /\(siwx_not_paid\)/);
  });

  it('the official wrapFetchWithSIWx signs our challenge and gets in without paying', async () => {
    assert.ok(api);
    const start = await balances();
    const callsBefore = calls;
    const res = await wrapFetchWithSIWx(fetch, payer())(`${api.url}/article`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(calls, callsBefore + 1);
    assert.deepEqual(await balances(), start);
    const theirs = parseSIWxHeader(sentProofs.at(-1) ?? '');
    assert.equal(theirs.address, payer().address);
  });

  it('our EVM proof passes the official validateSIWxMessage and verifySIWxSignature', async () => {
    assert.ok(api);
    const proof = await createSiwxProof(await challenge(), evmSiwxSigner(payer()), `${api.url}/article`);
    assert.ok(proof);
    const parsed = parseSIWxHeader(encodeSiwxHeader(proof));
    assert.deepEqual(await validateSIWxMessage(parsed, new URL(api.url)), { isValid: true });
    assert.deepEqual(await verifySIWxSignature(parsed), { isValid: true, payer: payer().address });
    // and an official header decodes as ours
    assert.deepEqual(await verifySiwxSignature(parsed, { eip155: createEvmSiwxVerifier() }), {
      ok: true,
      address: payer().address,
    });
    assert.deepEqual(parsed, proof);
    assert.deepEqual(parseSIWxHeader(encodeSIWxHeader(parsed)), proof);
  });

  it('smart wallets sign in through the chain: EIP-1271 deployed, EIP-6492 counterfactual', async () => {
    const publicClient = createPublicClient({ chain: devnet.chain, transport: http(devnet.rpcUrl) });
    const store = createMemorySiwxStore();
    const wallets = await startOurPaidApi({
      facilitatorUrl: facilitator?.url ?? '',
      routes: {
        'GET /vault': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
          signInWithX: true,
        },
      },
      options: {
        signInWithX: { verifiers: { eip155: createEvmSiwxVerifier({ client: publicClient }) }, store },
      },
      serve: (app) => app.get('/vault', (_req, res) => void res.json({ vault: 'open' })),
    });
    try {
      const owner = privateKeyToAccount(generatePrivateKey());
      const deployed = smartWalletAddress({ owner: owner.address, salt: 1n });
      const counterfactual = smartWalletAddress({ owner: owner.address, salt: 2n });
      const deployer = createWalletClient({
        account: privateKeyToAccount(devnet.accounts.deployer.privateKey as Hex),
        chain: devnet.chain,
        transport: http(devnet.rpcUrl),
      });
      const hash = await deployer.sendTransaction({
        to: SMART_WALLET_FACTORY_ADDRESS,
        data: smartWalletDeployData({ owner: owner.address, salt: 1n }),
      });
      await publicClient.waitForTransactionReceipt({ hash });
      // these wallets paid before (recorded as a settlement would)
      store.recordPayment('/vault', deployed);
      store.recordPayment('/vault', counterfactual);
      const url = `${wallets.url}/vault`;
      const fresh = async () => {
        const pr = decodePaymentRequiredHeader((await fetch(url)).headers.get('payment-required') ?? '');
        assert.equal(pr.x402Version, 2);
        return (pr.x402Version === 2 ? pr.extensions?.[SIGN_IN_WITH_X] : undefined) as SiwxDeclaration;
      };
      const enter = async (address: Hex, wrap?: bigint) => {
        const signer = evmSiwxSigner({
          address,
          async signMessage({ message }) {
            const signature = await owner.signMessage({ message });
            if (wrap === undefined) return signature;
            return serializeErc6492Signature({
              address: SMART_WALLET_FACTORY_ADDRESS,
              data: smartWalletDeployData({ owner: owner.address, salt: wrap }),
              signature,
            });
          },
        });
        const proof = await createSiwxProof(await fresh(), signer, url);
        assert.ok(proof);
        return fetch(url, { headers: { [SIWX_HEADER]: encodeSiwxHeader(proof) } });
      };
      const viaErc1271 = await enter(deployed);
      assert.equal(viaErc1271.status, 200, await viaErc1271.clone().text());
      const viaErc6492 = await enter(counterfactual, 2n);
      assert.equal(viaErc6492.status, 200, await viaErc6492.clone().text());
      // the owner's key does not sign for another owner's wallet
      const stranger = smartWalletAddress({
        owner: privateKeyToAccount(generatePrivateKey()).address,
        salt: 1n,
      });
      store.recordPayment('/vault', stranger);
      const refused = await enter(stranger);
      assert.equal(refused.status, 402);
      const pr = decodePaymentRequiredHeader(refused.headers.get('payment-required') ?? '');
      assert.match(pr.x402Version === 2 ? (pr.error ?? '') : '', /\(invalid_siwx_signature\)/);
    } finally {
      await wallets.close();
    }
  });

  it('Solana (ed25519, SIWS): our proof passes the official verifier; their signature passes ours', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const signer = await solanaSiwxSigner(keys);
    const declaration: SiwxDeclaration = {
      info: {
        domain: 'api.example.com',
        uri: 'https://api.example.com/article',
        version: '1',
        nonce: '0123456789abcdef0123456789abcdef',
        issuedAt: new Date().toISOString(),
        statement: 'Sign in',
        resources: ['https://api.example.com/article'],
      },
      supportedChains: [{ chainId: SOLANA_DEVNET, type: 'ed25519' }],
      schema: {},
    };
    const ours = await createSiwxProof(declaration, signer, 'https://api.example.com/article');
    assert.ok(ours);
    assert.deepEqual(await verifySIWxSignature(ours), { isValid: true, payer: signer.address });

    const message = formatSiwxMessage({ ...declaration.info, chainId: SOLANA_DEVNET }, signer.address);
    const theirSignature = await signSolanaMessage(message, {
      publicKey: signer.address,
      signMessage: async (bytes) =>
        new Uint8Array(
          await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, bytes as Uint8Array<ArrayBuffer>),
        ),
    });
    assert.equal(
      await verifySolanaSiwx({
        address: signer.address,
        message,
        signature: theirSignature,
        chainId: SOLANA_DEVNET,
      }),
      true,
    );
    assert.equal(
      await verifySolanaSiwx({
        address: signer.address,
        message: `${message}!`,
        signature: theirSignature,
        chainId: SOLANA_DEVNET,
      }),
      false,
    );
  });
});
