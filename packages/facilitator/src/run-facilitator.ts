/**
 * A facilitator deployment served over HTTP, with a graceful shutdown: on SIGTERM (or
 * `shutdown()`) the server stops accepting connections, settlements in flight get up to
 * `shutdown.drainTimeoutMs` to finish (their callers receive the real outcome); past that bound the
 * engine stops waiting for receipts, so the stragglers answer `settlement_pending` with their hash
 * (kept in the ledger for the reconciler) instead of being cut off; then the sweeps stop, spans are
 * flushed and the ledger is closed.
 */
import {
  type CreateFacilitatorAppOptions,
  createFacilitatorApp,
  type FacilitatorApp,
} from './facilitator-app.js';
import { createEmitter } from './log.js';
import { type FacilitatorServer, startFacilitatorServer } from './server.js';
import type { ServiceConfig } from './service-config.js';

/** Options of `runFacilitator`. */
export type RunFacilitatorOptions = CreateFacilitatorAppOptions & {
  /** Shut down on SIGTERM and SIGINT (once; the handlers are removed afterwards); default false. */
  handleSignals?: boolean;
};

/** What `runFacilitator` returns. */
export type RunningFacilitator = {
  app: FacilitatorApp;
  server: FacilitatorServer;
  /** Drain and close (see the module comment); safe to call twice. Resolves when everything is closed. */
  shutdown(): Promise<void>;
  /** Resolves once a shutdown finished (after a signal, for example). */
  readonly stopped: Promise<void>;
};

/** Extra time the HTTP server gives answers after the engine stopped waiting for receipts. */
const ANSWER_GRACE_MS = 2000;

/**
 * Build the deployment and serve it on `config.host:config.port`.
 *
 * @example
 * const running = await runFacilitator(await loadServiceConfig({ file: 'facilitator.yaml', env: process.env }), { handleSignals: true })
 * await running.stopped // after SIGTERM: drained and closed
 */
export async function runFacilitator(
  config: ServiceConfig,
  options: RunFacilitatorOptions = {},
): Promise<RunningFacilitator> {
  const app = await createFacilitatorApp(config, options);
  const drainMs = config.shutdown.drainTimeoutMs;
  let server: FacilitatorServer;
  try {
    server = await startFacilitatorServer({
      service: app.service,
      port: config.port,
      host: config.host,
      closeTimeoutMs: drainMs + ANSWER_GRACE_MS,
      log: app.log,
    });
  } catch (error) {
    await app.close();
    throw error;
  }
  const emit = createEmitter(app.log);
  let stoppedResolve: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stoppedResolve = resolve;
  });
  let shuttingDown: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    emit('info', `${signal} received: draining settlements in flight (up to ${drainMs} ms)`);
    void shutdown();
  };

  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      if (options.handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      const closing = server.close();
      const bound = setTimeout(() => {
        emit('warn', `drain bound of ${drainMs} ms reached: settlements in flight answer settlement_pending`);
        app.facilitator.close();
      }, drainMs);
      bound.unref();
      await closing;
      clearTimeout(bound);
      await app.close();
      emit('info', 'facilitator stopped');
      stoppedResolve();
    })();
    return shuttingDown;
  }

  if (options.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { app, server, shutdown, stopped };
}
