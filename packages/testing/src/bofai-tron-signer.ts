/**
 * BofAI's TronClientSigner pointed at the local TRON node, for the interop tests that pay our TRON
 * server with BofAI's client (`@bankofai/x402` and `@bankofai/agent-wallet` are devDependencies of
 * this private package, never of a published one).
 */
import { TronSigner } from '@bankofai/agent-wallet';
import type { AgentWallet } from '@bankofai/x402';
import { TronClientSigner } from '@bankofai/x402';
import { TronWeb } from 'tronweb';

/** Parameters of {@link createLocalTronClientSigner}. */
export interface LocalTronClientSignerParameters {
  /** The local node's URL (`TronDevnet.fullHost`). */
  fullHost: string;
  /** 64 hex characters, with or without `0x`. */
  privateKey: string;
  /** The agent-wallet network label (default `tron:nile`). */
  network?: string;
}

/** TronWeb wants a key even for reads; BofAI uses this placeholder too. */
const READ_ONLY_KEY = '0000000000000000000000000000000000000000000000000000000000000001';

/**
 * BofAI's `TronClientSigner` whose TronWeb talks to the local node instead of the TronGrid host BofAI
 * hard-codes per network. `createTronWeb` is declared private in BofAI's typings, so the override is installed
 * on the instance (same name, same signature) rather than as a method declaration.
 *
 * @example
 * ```ts
 * const signer = new LocalTronClientSigner(new TronSigner(keyBytes, 'tron:nile'), devnet.fullHost);
 * signer.setAddress(await wallet.getAddress());
 * ```
 */
export class LocalTronClientSigner extends TronClientSigner {
  readonly fullHost: string;

  constructor(wallet: AgentWallet, fullHost: string) {
    super(wallet);
    this.fullHost = fullHost;
    Object.defineProperty(this, 'createTronWeb', {
      value: (_bofaiHost: string) => new TronWeb({ fullHost: this.fullHost, privateKey: READ_ONLY_KEY }),
    });
  }
}

/**
 * Builds an agent-wallet `TronSigner` from a private key (what BofAI's `TronClientSigner.create()` would resolve
 * from its wallet config) and wraps it in a {@link LocalTronClientSigner} with its Base58 address set.
 *
 * @example
 * ```ts
 * const signer = await createLocalTronClientSigner({ fullHost: devnet.fullHost, privateKey: devnet.accounts.payer.privateKey });
 * await signer.checkBalance(devnet.assets.USDT.address, 'tron:nile'); // 1000000000n
 * ```
 */
export async function createLocalTronClientSigner(
  parameters: LocalTronClientSignerParameters,
): Promise<LocalTronClientSigner> {
  const key = parameters.privateKey.replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(key))
    throw new Error('createLocalTronClientSigner: privateKey must be 32 bytes of hex');
  const wallet = new TronSigner(Uint8Array.from(Buffer.from(key, 'hex')), parameters.network ?? 'tron:nile');
  const signer = new LocalTronClientSigner(wallet, parameters.fullHost);
  signer.setAddress(await wallet.getAddress());
  return signer;
}
