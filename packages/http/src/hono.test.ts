import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { paymentMiddleware } from './hono.js';
import { listen } from './node.js';
import { setSettlementOverrides } from './settlement-overrides.js';
import { runFlowSuite } from './testing/flow-suite.js';
import { PAID_CONTENT } from './testing/test-stack.js';

runFlowSuite(
  'hono',
  async ({ routes, server, options, hits }) => {
    const app = new Hono();
    app.use(async (c, next) => {
      c.header('Access-Control-Expose-Headers', 'X-Request-Id');
      c.header('X-Pre', 'yes');
      await next();
    });
    app.use(paymentMiddleware(routes, server, options));
    app.get('/free', (c) => {
      hits.free++;
      return c.text('free');
    });
    app.get('/paid', (c) => {
      hits.paid++;
      c.header('x-handler', 'paid');
      return c.json({ content: PAID_CONTENT });
    });
    app.post('/echo', async (c) => {
      hits.echo++;
      return c.json({ content: PAID_CONTENT, echo: await c.req.text() });
    });
    app.get('/broken', (c) => {
      hits.broken++;
      return c.json({ error: 'boom' }, 500);
    });
    app.get('/metered', (c) => {
      hits.metered++;
      const response = c.text(PAID_CONTENT);
      setSettlementOverrides(response, { amount: '50%' });
      return response;
    });
    app.get('/city/:name', (c) => {
      hits.city++;
      return c.text(PAID_CONTENT);
    });
    app.get('/files/*', (c) => {
      hits.files++;
      return c.text(PAID_CONTENT);
    });
    return listen(getRequestListener(app.fetch), { maxHeaderSize: 64 * 1024 });
  },
  { preHeaders: true },
);
