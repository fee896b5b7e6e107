/**
 * The one logging hook of x402kit. Library code never prints: it hands events to an optional
 * {@link Log} callback, and the application (the CLI, your server) decides where they go. The
 * paying fetch and the middleware of `@x402kit/http`, the facilitator service and the chain modules
 * all take this same `Log`, so one sink serves them all.
 */

/** Severity of a {@link LogEvent}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing worth telling an operator, with structured details. */
export type LogEvent = {
  level: LogLevel;
  message: string;
  data?: Record<string, unknown>;
};

/**
 * Receives log events. Must not throw; exceptions it raises are swallowed.
 *
 * @example
 * const log: Log = (e) => console.error(`[x402 ${e.level}] ${e.message}`, e.data ?? '');
 */
export type Log = (event: LogEvent) => void;

/** A function that is always safe to call, whether or not a {@link Log} was given. */
export type Emit = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/**
 * Wrap an optional {@link Log} into an {@link Emit}: a no-op without a log, and a log that throws
 * never breaks the caller.
 *
 * @example
 * const emit = createEmitter(options.log);
 * emit('warn', 'facilitator unreachable', { url });
 */
export function createEmitter(log: Log | undefined): Emit {
  if (!log) return () => {};
  return (level, message, data) => {
    try {
      log(data === undefined ? { level, message } : { level, message, data });
    } catch {
      // a broken logger must never break a request
    }
  };
}
