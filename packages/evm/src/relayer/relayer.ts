/**
 * A relayer sends transactions for one key on one chain: locally managed nonces, an explicit gas
 * limit, cached EIP-1559 fees, local signing and one `eth_sendRawTransaction` per send.
 */
import { type Address, type Hash, type Hex, keccak256, type LocalAccount, type PublicClient } from 'viem';
import { errorText, isTimeoutError } from '../error-text.js';
import type { FeeOracle } from './fee-oracle.js';
import { createNonceManager, type NonceManager } from './nonce-manager.js';

export type RelayerOptions = {
  /** Reads (`pending` nonce) and broadcast. */
  client: Pick<PublicClient, 'getTransactionCount' | 'sendRawTransaction'>;
  /** The key that signs and pays gas. */
  account: LocalAccount;
  chainId: number;
  /** Usually shared by every relayer of the chain. */
  fees: FeeOracle;
};

/** A contract call to relay. `gas` is the explicit limit: no estimate is made. */
export type RelayedCall = { to: Address; data: Hex; gas: bigint };

export type Relayer = {
  readonly address: Address;
  readonly chainId: number;
  /** Sign and broadcast; resolves with the transaction hash once the node accepted it. */
  send(call: RelayedCall): Promise<Hash>;
  /** Forget the local nonce (after a receipt timeout, for example); the next send re-reads `pending`. */
  reset(): void;
};

/**
 * A send the node refused, or whose outcome is unknown (`ambiguous`: the request timed out after the
 * transaction may have reached the node; `hash` is then worth watching).
 *
 * @example
 * try { await relayer.send(call) } catch (e) { if (e instanceof RelayerSendError && e.ambiguous) watch(e.hash) }
 */
export class RelayerSendError extends Error {
  override name = 'RelayerSendError';
  readonly hash: Hash | undefined;
  readonly ambiguous: boolean;

  constructor(message: string, options: { cause: unknown; hash?: Hash; ambiguous: boolean }) {
    super(message, { cause: options.cause });
    this.hash = options.hash;
    this.ambiguous = options.ambiguous;
  }
}

const NONCE_CONFLICT =
  /nonce too low|nonce has already been used|invalid nonce|replacement transaction underpriced/i;
const ALREADY_KNOWN = /already known|already imported|known transaction/i;
const FEE_TOO_LOW = /fee.*(too low|less than)|underpriced|base fee/i;

/**
 * Create a relayer for one key. Concurrent `send`s are serialized only around nonce assignment,
 * signing and broadcast; receipt waits happen outside (see `waitForReceipt`).
 *
 * @example
 * const relayer = createRelayer({ client, account: privateKeyToAccount(key), chainId: 84532, fees: createFeeOracle({ client }) })
 * const hash = await relayer.send({ to: token, data, gas: 120_000n })
 */
export function createRelayer(options: RelayerOptions): Relayer {
  const { client, account, chainId, fees } = options;
  const nonces: NonceManager = createNonceManager({
    readPendingNonce: () => client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
  });

  async function sendOnce(call: RelayedCall): Promise<Hash> {
    const gasFees = await fees.get();
    return nonces.withNextNonce(async (nonce) => {
      const serializedTransaction = await account.signTransaction(
        gasFees.type === 'eip1559'
          ? {
              type: 'eip1559',
              chainId,
              nonce,
              to: call.to,
              data: call.data,
              gas: call.gas,
              maxFeePerGas: gasFees.maxFeePerGas,
              maxPriorityFeePerGas: gasFees.maxPriorityFeePerGas,
            }
          : {
              type: 'legacy',
              chainId,
              nonce,
              to: call.to,
              data: call.data,
              gas: call.gas,
              gasPrice: gasFees.gasPrice,
            },
      );
      const hash = keccak256(serializedTransaction);
      try {
        await client.sendRawTransaction({ serializedTransaction });
        return hash;
      } catch (error) {
        const text = errorText(error);
        if (ALREADY_KNOWN.test(text)) return hash;
        if (FEE_TOO_LOW.test(text)) fees.invalidate();
        throw new RelayerSendError(`broadcast from ${account.address} (nonce ${nonce}) failed: ${text}`, {
          cause: error,
          hash,
          ambiguous: isTimeoutError(error),
        });
      }
    });
  }

  return {
    address: account.address,
    chainId,
    async send(call) {
      try {
        return await sendOnce(call);
      } catch (error) {
        // another sender used our nonce (or the node dropped our view): one retry with a fresh read
        if (
          error instanceof RelayerSendError &&
          !error.ambiguous &&
          NONCE_CONFLICT.test(errorText(error.cause))
        ) {
          return sendOnce(call);
        }
        throw error;
      }
    },
    reset: () => nonces.reset(),
  };
}
