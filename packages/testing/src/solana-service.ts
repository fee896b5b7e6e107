/**
 * Solana pieces shared by the service tests (test/e2e/facilitator-svm.test.ts) and the bench
 * (bench/svm-bench.ts): extra fee payers with well-known keys funded on the devnet, the facilitator
 * service configured with the Solana chain module, and our payer's signed `/settle` bodies.
 */
import { createHash } from 'node:crypto';
import {
  address,
  createKeyPairSignerFromPrivateKeyBytes,
  getAddressDecoder,
  getBase58Decoder,
  getBase58Encoder,
} from '@solana/kit';
import { createX402Client, type PaymentRequirements } from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetSigner } from '@x402kit/devnet';
import { evmChain } from '@x402kit/evm/chain-module';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  type Log,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createExactSvmClient } from '@x402kit/svm';
import { svmChain } from '@x402kit/svm/chain-module';
import { tronChain } from '@x402kit/tron/chain-module';

/** The chains a deployment may serve, as `x402kit facilitator` gives them. */
export const SERVICE_CHAINS = [evmChain, tronChain, svmChain];

const LAMPORTS_PER_SOL = 1_000_000_000n;

/** A fee payer: its base58 address and 64-byte base58 secret key. */
export type SolanaFeePayer = { address: string; secretKey: string };

/**
 * An extra fee payer (key derived from `index`, the same every run), airdropped 10 SOL on the devnet.
 *
 * @example const [second] = await Promise.all([1].map((i) => fundedFeePayer(devnet, i)))
 */
export async function fundedFeePayer(devnet: SolanaDevnet, index: number): Promise<SolanaFeePayer> {
  const seed = new Uint8Array(createHash('sha256').update(`x402kit bench svm fee payer ${index}`).digest());
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed, true);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', signer.keyPair.publicKey));
  devnet.chain.airdrop(address(signer.address), 10n * LAMPORTS_PER_SOL);
  const secret = new Uint8Array(64);
  secret.set(seed, 0);
  secret.set(publicKey, 32);
  return { address: signer.address, secretKey: getBase58Decoder().decode(secret) };
}

/**
 * The base58 address of a 64-byte base58 secret key (its public half).
 *
 * @example addressOfSecret(feePayer.secretKey) // feePayer.address
 */
export function addressOfSecret(secret: string): string {
  return getAddressDecoder().decode(new Uint8Array(getBase58Encoder().encode(secret)).subarray(32));
}

/** A running facilitator service: the app and its HTTP server. */
export type SolanaService = {
  app: FacilitatorApp;
  server: FacilitatorServer;
  url: string;
  close(): Promise<void>;
};

/** Options of {@link startSolanaService}. */
export type SolanaServiceOptions = {
  /** More config sections (ledger, settlement, instanceId ...). */
  config?: Record<string, unknown>;
  /** The Solana RPC the service uses; default the devnet's. */
  rpcUrl?: string;
  /** Where the service logs; default nowhere. */
  log?: Log;
};

/**
 * Our facilitator service as `x402kit facilitator` builds it, with a `solana` section for the
 * devnet and the fee payers `feePayerKeys`; an in-memory SQLite ledger unless `config` names one.
 *
 * @example const service = await startSolanaService(devnet, [feePayerKey], { config: { instanceId: 'svm-a' } })
 */
export async function startSolanaService(
  devnet: SolanaDevnet,
  feePayerKeys: readonly string[],
  options: SolanaServiceOptions = {},
): Promise<SolanaService> {
  const config = parseServiceConfig(
    {
      port: 0,
      ledger: { sqlite: { path: ':memory:' } },
      ...options.config,
      solana: { networks: { 'solana:devnet': { rpc: [options.rpcUrl ?? devnet.rpcUrl] } }, feePayerKeys },
    },
    { chains: SERVICE_CHAINS },
  );
  const app = await createFacilitatorApp(config, { autoStart: false, log: options.log ?? (() => {}) });
  const server = await startFacilitatorServer({ service: app.service, port: 0 });
  return {
    app,
    server,
    url: server.url,
    async close() {
      await server.close();
      await app.close();
    },
  };
}

/**
 * The devnet's `exact` offer of `amount` devnet USDC (atomic) to payTo, naming `feePayer`.
 *
 * @example solanaRequirements(devnet, feePayer.address)
 */
export function solanaRequirements(
  devnet: SolanaDevnet,
  feePayer: string,
  amount = 1000n,
): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.usdc.address,
    amount: amount.toString(),
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 60,
    extra: { feePayer },
  };
}

/**
 * A `/verify` and `/settle` body: the devnet payer's payment (signed by our client) for `requirements`.
 *
 * @example const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayer))
 */
export async function signSolanaSettleBody(
  devnet: SolanaDevnet,
  requirements: PaymentRequirements,
): Promise<string> {
  const client = createX402Client({
    schemes: [
      {
        network: 'solana:*',
        client: createExactSvmClient({ signer: await solanaDevnetSigner('payer'), rpc: devnet.rpcUrl }),
      },
    ],
  });
  const paymentPayload = await client.createPaymentPayload({
    x402Version: 2,
    resource: { url: 'https://api.example/weather' },
    accepts: [requirements],
  });
  return JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements });
}
