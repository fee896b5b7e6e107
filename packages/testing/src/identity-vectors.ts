/**
 * The addresses of the payment-identity tests (`identifyEvmPayment`, `identifyTronPayment`, the
 * ledger's keys): one TRON buyer and token in Base58 and as 20-byte bodies, one EVM payer and token.
 */

/** A TRON buyer, Base58. */
export const TRON_BUYER = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
/** {@link TRON_BUYER}'s 20-byte body, lower-case `0x` hex (its ledger address). */
export const TRON_BUYER_BODY = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';
/** Nile USDT, Base58. */
export const TRON_USDT = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
/** {@link TRON_USDT}'s 20-byte body. */
export const TRON_USDT_BODY = '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f';
/** An EVM payer (anvil's account 1), checksummed. */
export const EVM_PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
/** An EVM token (Base Sepolia USDC), checksummed. */
export const EVM_TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
