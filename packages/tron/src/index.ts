// @x402kit/tron: x402 on TRON (addresses, TIP-712, node client); schemes under ./exact-permit and ./gasfree.
export {};
