import type { Address, Hash } from 'viem';
import { devnetAccount } from '../accounts.js';
import type { DevnetClient } from '../devnet-client.js';
import { mintWith } from '../mint-with.js';
import { gasFreeAccountAddress, placeGasFreeController } from './gasfree-controller.js';
import type { GasFreeService, StartGasFreeServiceOptions } from './gasfree-service.js';
import { startGasFreeService } from './gasfree-service.js';
import type { GasFreeServiceToken } from './gasfree-submit.js';

/** Service options a GasFree stack passes through (everything but what the stack decides itself). */
export type GasFreeStackServiceOptions = Omit<
  StartGasFreeServiceOptions,
  'rpcUrl' | 'chainId' | 'controller' | 'providerKeys' | 'tokens'
>;

/** Parameters of {@link startGasFreeStack}. */
export interface StartGasFreeStackParameters {
  /** A client of the chain; the token must already be placed there. */
  client: DevnetClient;
  rpcUrl: string;
  /** Becomes the controller's owner and mints to GasFree accounts; an unlocked account that owns the token. */
  owner: Address;
  token: GasFreeServiceToken;
  /** Where the controller goes; default Nile's controller address. */
  controllerAddress?: Address;
  /** Provider account indexes of the devnet mnemonic; default `[7]`. */
  providerIndexes?: readonly number[];
  service?: GasFreeStackServiceOptions;
  /** Mine each mint at once (chains with interval mining). */
  mineNow?: boolean;
  log?: (line: string) => void;
}

/** Our GasFreeController with providers and a token registered, and the local GasFree service over it. */
export interface GasFreeStack {
  readonly controller: Address;
  /** Provider addresses (hex, checksummed). */
  readonly providers: readonly Address[];
  readonly token: GasFreeServiceToken;
  readonly service: GasFreeService;
  /** Mints `amount` of the token to `user`'s GasFree account address (deployed or not). */
  fund(user: Address, amount: bigint): Promise<Hash>;
  /** The GasFree account address of `user` (see `gasFreeAccountAddress`). */
  gasFreeAddressOf(user: Address): Address;
  /** Another local GasFree service over the same controller, providers and token (the caller stops it). */
  startService(options?: GasFreeStackServiceOptions): Promise<GasFreeService>;
}

/** Gas a provider keeps at least (1000 ETH-equivalent, 1000 TRX on the TRON devnet). */
const PROVIDER_MIN_BALANCE = 10n ** 21n;

/**
 * The one code path that puts GasFree on a devnet chain: tops up the providers' gas, places our
 * GasFreeController (default at Nile's address, so SDK-built signatures verify), registers the providers and the
 * token with its fees, and starts the local GasFree service against it. Used by `startGasFreeDevnet` and
 * `startTronDevnet`.
 *
 * @example
 * ```ts
 * const gasfree = await startGasFreeStack({ client, rpcUrl, owner, token: usdt });
 * await gasfree.fund(payer.address, 10_000_000n);
 * console.log(gasfree.service.baseUrl);
 * ```
 */
export async function startGasFreeStack(parameters: StartGasFreeStackParameters): Promise<GasFreeStack> {
  const { client, owner, token, log } = parameters;
  const providers = (parameters.providerIndexes ?? [7]).map((i) => devnetAccount(i));
  for (const provider of providers) {
    const balance = await client.getBalance({ address: provider.address });
    if (balance < PROVIDER_MIN_BALANCE)
      await client.setBalance({ address: provider.address, value: PROVIDER_MIN_BALANCE });
  }
  log?.('gasfree: placing the GasFreeController');
  const controller = await placeGasFreeController(client, {
    ...(parameters.controllerAddress ? { address: parameters.controllerAddress } : {}),
    owner,
    providers: providers.map((p) => p.address),
    tokens: [token],
  });
  const startService = (options: GasFreeStackServiceOptions = {}) =>
    startGasFreeService({
      log,
      ...options,
      rpcUrl: parameters.rpcUrl,
      chainId: client.chain.id,
      controller,
      providerKeys: providers.map((p) => p.privateKey),
      tokens: [token],
    });
  const service = await startService(parameters.service);
  return {
    controller,
    providers: providers.map((p) => p.address),
    token,
    service,
    fund: (user, amount) =>
      mintWith(client, {
        token: token.address,
        owner,
        to: gasFreeAccountAddress({ controller, user }),
        amount,
        ...(parameters.mineNow ? { mineNow: true } : {}),
      }),
    gasFreeAddressOf: (user) => gasFreeAccountAddress({ controller, user }),
    startService,
  };
}
