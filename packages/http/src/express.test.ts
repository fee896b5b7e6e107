import express from 'express';
import { paymentMiddleware } from './express.js';
import { listen } from './node.js';
import { setSettlementOverrides } from './settlement-overrides.js';
import { runFlowSuite } from './testing/flow-suite.js';
import { PAID_CONTENT } from './testing/test-stack.js';

runFlowSuite(
  'express',
  async ({ routes, server, options, hits }) => {
    const app = express();
    app.use((_req, res, next) => {
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
      res.setHeader('X-Pre', 'yes');
      next();
    });
    app.use(express.text({ type: '*/*' }));
    app.use(paymentMiddleware(routes, server, options));
    app.get('/free', (_req, res) => {
      hits.free++;
      res.send('free');
    });
    app.get('/paid', (_req, res) => {
      hits.paid++;
      res.set('x-handler', 'paid').json({ content: PAID_CONTENT });
    });
    app.post('/echo', (req, res) => {
      hits.echo++;
      res.json({ content: PAID_CONTENT, echo: req.body });
    });
    app.get('/broken', (_req, res) => {
      hits.broken++;
      res.status(500).json({ error: 'boom' });
    });
    app.get('/metered', (_req, res) => {
      hits.metered++;
      setSettlementOverrides(res, { amount: '50%' });
      res.send(PAID_CONTENT);
    });
    app.get('/city/:name', (_req, res) => {
      hits.city++;
      res.send(PAID_CONTENT);
    });
    app.get('/files/*rest', (_req, res) => {
      hits.files++;
      res.send(PAID_CONTENT);
    });
    return listen(app, { maxHeaderSize: 64 * 1024 });
  },
  { preHeaders: true },
);
