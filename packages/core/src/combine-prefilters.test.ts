import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OfferPrefilter } from './client.js';
import { createX402Client } from './client.js';
import { combinePrefilters } from './combine-prefilters.js';
import type { Offer } from './payment-policy.js';
import type { PaymentRequirements } from './protocol/schemas.js';
import type { SchemeClient } from './scheme.js';

const offer = (network: string, index: number): Offer => ({
  x402Version: 2,
  index,
  requirements: {
    scheme: 'exact',
    network,
    amount: '1000',
    asset: 'asset',
    payTo: 'payTo',
    maxTimeoutSeconds: 60,
  },
});

/** Keeps the offers not on `network`; records that it ran and on which offers. */
function dropping(network: string, seen: string[]): OfferPrefilter {
  return async (offers) => {
    seen.push(`${network}: ${offers.map((o) => o.index).join(',')}`);
    return offers.filter((o) => o.requirements.network !== network);
  };
}

describe('combinePrefilters', () => {
  it('keeps the offers every prefilter keeps, in the given order; each sees every offer', async () => {
    const seen: string[] = [];
    const offers = [offer('eip155:8453', 0), offer('solana:x', 1), offer('eip155:56', 2)];
    const kept = await combinePrefilters(dropping('eip155:56', seen), dropping('solana:x', seen))(offers);
    assert.deepEqual(
      kept.map((o) => o.index),
      [0],
    );
    assert.deepEqual(seen.sort(), ['eip155:56: 0,1,2', 'solana:x: 0,1,2']);
  });

  it('runs the prefilters in parallel', async () => {
    let running = 0;
    let most = 0;
    const slow: OfferPrefilter = async (offers) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return offers;
    };
    const offers = [offer('eip155:8453', 0)];
    assert.deepEqual(await combinePrefilters(slow, slow, slow)(offers), offers);
    assert.equal(most, 3);
  });

  it('with no prefilter keeps everything; a rejected prefilter rejects the whole', async () => {
    const offers = [offer('eip155:8453', 0)];
    assert.deepEqual(await combinePrefilters()(offers), offers);
    const failing: OfferPrefilter = async () => {
      throw new Error('rpc down');
    };
    await assert.rejects(combinePrefilters(failing)(offers), /rpc down/);
  });

  it('a client pays the offer the combined prefilter leaves', async () => {
    const paid: PaymentRequirements[] = [];
    const scheme: SchemeClient = {
      scheme: 'exact',
      async createPaymentPayload(requirements) {
        paid.push(requirements);
        return { payload: {} };
      },
    };
    const client = createX402Client({
      schemes: [{ network: '*', client: scheme }],
      prefilter: combinePrefilters(dropping('eip155:8453', []), dropping('eip155:56', [])),
    });
    await client.createPaymentPayload({
      x402Version: 2,
      resource: { url: 'http://127.0.0.1/x' },
      accepts: [offer('eip155:8453', 0), offer('eip155:56', 1), offer('solana:x', 2)].map(
        (o) => o.requirements,
      ),
    });
    assert.deepEqual(
      paid.map((r) => r.network),
      ['solana:x'],
    );
  });
});
