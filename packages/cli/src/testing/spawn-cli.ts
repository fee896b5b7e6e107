// Until pay.test.ts and pay-solana.test.ts (being finished by the Solana work) import @x402kit/testing/spawn-cli
// themselves: the helper's one home is packages/testing/src/spawn-cli.ts.
export * from '@x402kit/testing/spawn-cli';
