// A paid route handler: the handler runs only after the payment verified, and its answer is sent
// (with PAYMENT-RESPONSE) only once the payment settled. An answer >= 400 is never charged.
import { withX402 } from '@x402kit/http/next';
import { countRun, paidRoute, server } from '../../../lib/x402';

export const GET = withX402(
  async () => {
    countRun('weather');
    return Response.json({ report: { weather: 'sunny', temperature: 70 } });
  },
  paidRoute,
  server,
);
