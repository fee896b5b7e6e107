// Until the Solana tests (test/e2e/exact-svm*.test.ts, facilitator-svm.test.ts) import @x402kit/testing/listen
// themselves: the helper's one home is packages/testing/src/listen.ts.
export * from '@x402kit/testing/listen';
