/**
 * Our Fastify plugin with its facilitator's RPC cut after the settlement is sent: the buyer gets 202
 * `settlement_pending` with the hash that landed (never 402), the handler ran once; after the RPC
 * heals the same payment gets the handler's answer with that transaction without a second run, and
 * a copy is refused. Our paying fetch, left to retry, sends the same payment until it gets the
 * answer: one signature, one handler run, one transfer.
 */
import { after, before, describe } from 'node:test';
import { itKeepsTheMoneyPromises } from '@x402kit/testing/rpc-cut-paid-route';
import { PRICE } from './adapter-stack.js';
import { type CutFastify, startCutFastify } from './cut-fastify.js';

let stack: CutFastify | undefined;

describe('our Fastify plugin, RPC cut after the settlement is sent: 202 pending with the hash, one run', () => {
  before(async () => {
    stack = await startCutFastify('fastify-rpc-cut');
  });
  after(async () => {
    await stack?.close();
  });

  itKeepsTheMoneyPromises(() => {
    if (!stack) throw new Error('the stack did not start');
    return stack.route;
  }, PRICE);
});
