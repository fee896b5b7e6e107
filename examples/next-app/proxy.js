// Next 16's proxy (middleware.ts in Next 15): charges pages before they render. A proxy cannot see
// the page's status, so the payment settles before the page is served; route handlers should use
// withX402 instead, which settles after a success answer.
import { paymentMiddleware } from '@x402kit/http/next';
import { paidRoute, server } from './lib/x402';

export const proxy = paymentMiddleware({ 'GET /premium': paidRoute }, server);

export const config = { matcher: '/premium' };
