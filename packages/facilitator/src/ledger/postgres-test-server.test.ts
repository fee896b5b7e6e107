// Until test/e2e/facilitator-svm.test.ts (being finished by the Solana work) imports @x402kit/testing/postgres
// itself: the helpers' one home is packages/testing/src/postgres.ts. No test is registered here.
export * from '@x402kit/testing/postgres';
