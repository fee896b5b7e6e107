/**
 * The local chain of a scheme demo: the BSC testnet devnet with its USDT for `exact_permit`, else
 * anvil with USDC at Base Sepolia's address; its accounts and token in one shape.
 */
import { Reasons, X402Error } from '@x402kit/core';
import { startDevnet, startDevnets } from '@x402kit/devnet';
import type { Address, Chain, Hex } from 'viem';
import type { DemoScheme } from './demo-mode.js';

/** The chain a scheme demo runs on, whichever devnet started it. */
export type DemoChain = {
  network: string;
  rpcUrl: string;
  chain: Chain;
  token: { address: Address; symbol: string; decimals: number };
  payer: { address: Address; privateKey: Hex };
  payTo: Address;
  relayer: { address: Address; privateKey: Hex };
  stop(): Promise<void>;
};

/**
 * Start the chain `scheme` runs on in the demo; the caller stops it.
 *
 * @example
 * const chain = await startDemoChain('permit2') // anvil at Base Sepolia, USDC
 */
export async function startDemoChain(scheme: DemoScheme): Promise<DemoChain> {
  if (scheme === 'exact_permit') {
    const devnets = await startDevnets({ chains: [{ chainId: 97 }] });
    const bsc = devnets.getChain(97);
    const usdt = bsc.assets.USDT;
    if (!usdt) {
      await devnets.stop();
      throw new X402Error(Reasons.internalError, 'the BSC devnet has no USDT');
    }
    const { payer, payTo, facilitator } = devnets.accounts;
    return {
      network: bsc.network,
      rpcUrl: bsc.rpcUrl,
      chain: bsc.chain,
      token: { address: usdt.address, symbol: usdt.symbol, decimals: usdt.decimals },
      payer: { address: payer.address, privateKey: payer.privateKey },
      payTo: payTo.address,
      relayer: { address: facilitator.address, privateKey: facilitator.privateKey },
      stop: () => devnets.stop(),
    };
  }
  const devnet = await startDevnet({ port: 0 });
  const { payer, payTo, facilitator } = devnet.accounts;
  return {
    network: devnet.network,
    rpcUrl: devnet.rpcUrl,
    chain: devnet.chain,
    token: { address: devnet.token.address, symbol: 'USDC', decimals: devnet.token.decimals },
    payer: { address: payer.address, privateKey: payer.privateKey },
    payTo: payTo.address,
    relayer: { address: facilitator.address, privateKey: facilitator.privateKey },
    stop: () => devnet.stop(),
  };
}
