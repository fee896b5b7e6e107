// Until pay.test.ts and pay-solana.test.ts (being finished by the Solana work) import @x402kit/testing/pay-in-process
// themselves: the helper's one home is packages/testing/src/pay-in-process.ts.
export * from '@x402kit/testing/pay-in-process';
