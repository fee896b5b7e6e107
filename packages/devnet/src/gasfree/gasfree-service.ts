import { createServer } from 'node:http';
import type { Address, Chain, Hex, HttpTransport, PublicClient } from 'viem';
import { createPublicClient, createWalletClient, erc20Abi, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetChain } from '../devnet-chain.js';
import { DevnetOptionsError } from '../errors.js';
import { gasFreeControllerArtifact } from '../generated/contracts.js';
import type { LocalHttpServer } from '../local-http-server.js';
import { listenLocal } from '../local-http-server.js';
import type { GasFreeAuthConfig } from './gasfree-auth.js';
import { gasFreeAccountAddress } from './gasfree-controller.js';
import { checkGasFreeControllerSetup } from './gasfree-controller-check.js';
import type { GasFreeTransferRecord } from './gasfree-relayer.js';
import { createGasFreeRelayer } from './gasfree-relayer.js';
import type { GasFreeServiceFaults, GasFreeServiceState } from './gasfree-request.js';
import { handleGasFreeRequest } from './gasfree-request.js';
import type { GasFreeChainView, GasFreeProviderConfig, GasFreeServiceToken } from './gasfree-submit.js';

// The records getTransfer answers and the tokens and limits the options take are this service's public types.
export type { GasFreeTransferRecord } from './gasfree-relayer.js';
export type { GasFreeServiceFaults } from './gasfree-request.js';
export type { GasFreeProviderConfig, GasFreeServiceToken } from './gasfree-submit.js';

/** Options of {@link startGasFreeService}. */
export interface StartGasFreeServiceOptions {
  /** JSON-RPC URL of the chain the controller is on. */
  rpcUrl: string;
  chainId: number;
  /** Address of a GasFreeController (see `placeGasFreeController`) with these providers and tokens registered. */
  controller: Address;
  /** Private keys of the service providers (each must be registered on the controller and hold gas). */
  providerKeys: readonly Hex[];
  tokens: readonly GasFreeServiceToken[];
  /** Path prefix of every endpoint; default `/nile` (as `https://open-test.gasfree.io/nile`); `''` for none. */
  basePath?: string;
  /** With `apiSecret`: require GasFree's `Timestamp` + `Authorization: ApiKey …` headers. */
  apiKey?: string;
  apiSecret?: string;
  /** Allowed distance (s) of the `Timestamp` header from now; default 60. */
  authMaxSkewSeconds?: number;
  /** Provider limits; defaults: min 60 s, max 3600 s, default 180 s, 1 pending transfer per user. */
  providerConfig?: Partial<GasFreeProviderConfig>;
  faults?: GasFreeServiceFaults;
  /** Milliseconds an accepted transfer waits before it is sent (default 0) and stays ON_CHAIN (default 50). */
  timing?: { relayDelayMs?: number; solidifyDelayMs?: number };
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  log?: (line: string) => void;
}

/** A running local GasFree service. */
export interface GasFreeService {
  /** `http://127.0.0.1:<port><basePath>`: what GasFree clients take as their base URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly basePath: string;
  /** Provider addresses (hex, checksummed). */
  readonly providers: readonly Address[];
  /** The transfer with this trace id, as the service holds it (for tests). */
  getTransfer(traceId: string): GasFreeTransferRecord | undefined;
  /** Replaces the fault modes; counts already made per trace stay. */
  setFaults(faults: GasFreeServiceFaults): void;
  /** Resolves once every accepted transfer has reached SUCCEED or FAILED. */
  idle(): Promise<void>;
  /** Stops listening, after the transfers in flight have finished. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_PROVIDER_CONFIG: GasFreeProviderConfig = {
  minDeadlineDuration: 60,
  maxDeadlineDuration: 3600,
  defaultDeadlineDuration: 180,
  maxPendingTransfer: 1,
};

/**
 * Starts a local GasFree provider API on 127.0.0.1 that speaks the GasFree wire format (envelope
 * `{code, reason, message, data}`, Base58 addresses) and relays accepted transfers through our
 * GasFreeController as the provider: GET `/api/v1/address/{user}`, `/api/v1/config/token/all`,
 * `/api/v1/config/provider/all`, `/api/v1/gasfree/{traceId}`, POST `/api/v1/gasfree/submit`.
 *
 * @example
 * ```ts
 * const service = await startGasFreeService({
 *   rpcUrl: anvil.rpcUrl, chainId: 3448148188, controller, providerKeys: [devnetAccount(7).privateKey],
 *   tokens: [{ address: usdt, symbol: 'USDT', decimals: 6, activateFee: 1_000_000n, transferFee: 100_000n }],
 * });
 * const info = await fetch(`${service.baseUrl}/api/v1/address/${tronUser}`).then((r) => r.json());
 * await service.stop();
 * ```
 */
export async function startGasFreeService(options: StartGasFreeServiceOptions): Promise<GasFreeService> {
  const { basePath, auth } = checkServiceOptions(options);
  const providerConfig = { ...DEFAULT_PROVIDER_CONFIG, ...options.providerConfig };
  const chain = devnetChain({ chainId: options.chainId, rpcUrl: options.rpcUrl });
  const transport = http(options.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 25 });
  const controller = getAddress(options.controller);
  const wallets = new Map(
    options.providerKeys.map((key) => {
      const account = privateKeyToAccount(key);
      return [account.address, createWalletClient({ chain, transport, account })] as const;
    }),
  );
  const tokens = new Map(
    options.tokens.map((t) => [getAddress(t.address), { ...t, address: getAddress(t.address) }]),
  );
  await checkGasFreeControllerSetup(publicClient, controller, [...wallets.keys()], [...tokens.values()]);

  const relayer = createGasFreeRelayer({
    publicClient,
    wallets,
    controller,
    relayDelayMs: options.timing?.relayDelayMs ?? 0,
    solidifyDelayMs: options.timing?.solidifyDelayMs ?? 50,
    log: options.log,
  });
  const state: GasFreeServiceState = {
    chainId: options.chainId,
    basePath,
    controller,
    providers: [...wallets.keys()],
    tokens,
    providerConfig,
    chainView: createChainView(publicClient, controller),
    records: new Map(),
    relayer,
    auth,
    startedAt: Date.now(),
    log: options.log,
    faults: { ...options.faults },
    submitQueue: Promise.resolve(),
  };
  const server = createServer((request, response) => {
    void handleGasFreeRequest(state, request, response);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const local = await listenLocal(server, options.port);
  const baseUrl = `${local.url}${basePath}`;
  options.log?.(`gasfree: service at ${baseUrl} (controller ${controller}, ${wallets.size} provider(s))`);
  return runningService(state, local, baseUrl);
}

/** Checks the options that can be wrong, in this order; returns the base path and the API-key check. */
function checkServiceOptions(options: StartGasFreeServiceOptions): {
  basePath: string;
  auth: GasFreeAuthConfig | undefined;
} {
  const basePath = options.basePath ?? '/nile';
  if (basePath !== '' && !/^\/[A-Za-z0-9._~/-]*[^/]$/.test(basePath)) {
    throw new DevnetOptionsError(
      'basePath',
      `must be '' or start with / and not end with / (got ${basePath})`,
    );
  }
  if ((options.apiKey === undefined) !== (options.apiSecret === undefined)) {
    throw new DevnetOptionsError('apiKey', 'and apiSecret must be given together');
  }
  if (options.providerKeys.length === 0) throw new DevnetOptionsError('providerKeys', 'must not be empty');
  const auth =
    options.apiKey !== undefined && options.apiSecret !== undefined
      ? {
          apiKey: options.apiKey,
          apiSecret: options.apiSecret,
          maxSkewSeconds: options.authMaxSkewSeconds ?? 60,
        }
      : undefined;
  return { basePath, auth };
}

/** What the service reads from the chain: the controller's nonces and activation, token balances. */
function createChainView(
  publicClient: PublicClient<HttpTransport, Chain>,
  controller: Address,
): GasFreeChainView {
  const abi = gasFreeControllerArtifact.abi;
  return {
    nonceOf: (user) =>
      publicClient.readContract({ address: controller, abi, functionName: 'nonces', args: [user] }),
    isActive: (user) =>
      publicClient.readContract({ address: controller, abi, functionName: 'isActive', args: [user] }),
    balanceOf: (token, holder) =>
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [holder] }),
    gasFreeAddressOf: (user) => gasFreeAccountAddress({ controller, user }),
  };
}

/** The handle of a listening service: its addresses, its records and faults, and a stop that waits for relays. */
function runningService(state: GasFreeServiceState, local: LocalHttpServer, baseUrl: string): GasFreeService {
  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    port: local.port,
    basePath: state.basePath,
    providers: [...state.providers],
    getTransfer: (traceId) => state.records.get(traceId),
    setFaults: (next) => {
      state.faults = { ...next };
    },
    idle: () => state.relayer.idle(),
    stop() {
      stopping ??= (async () => {
        await state.relayer.idle();
        await local.close();
        state.log?.('gasfree: service stopped');
      })();
      return stopping;
    },
  };
}
