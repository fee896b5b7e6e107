// The same paid route with the official @x402/next wrapper, beside ours in one app (the interop
// test pays both). Not needed for an x402kit app.
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { withX402 } from '@x402/next';
import { NextResponse } from 'next/server';
import { countRun, facilitatorUrl, network, payTo, price } from '../../../lib/x402';

const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl })).register(
  network,
  new ExactEvmScheme(),
);

export const GET = withX402(
  async () => {
    countRun('official-weather');
    return NextResponse.json({ report: { weather: 'sunny', temperature: 70 } });
  },
  { accepts: { scheme: 'exact', network, payTo, price } },
  server,
);
