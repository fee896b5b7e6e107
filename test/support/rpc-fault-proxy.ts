// Until the Solana tests (test/e2e/exact-svm*.test.ts, facilitator-svm.test.ts) import @x402kit/testing/rpc-fault-proxy
// themselves: the helper's one home is packages/testing/src/rpc-fault-proxy.ts.
export * from '@x402kit/testing/rpc-fault-proxy';
