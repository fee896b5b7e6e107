/**
 * The package's logging hook. Library code never prints: it hands events to an optional
 * callback, and the application (the CLI, your server) decides where they go.
 * Same shape as `@x402kit/http`'s `Log`, so one sink serves both.
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
 * const log: Log = (e) => console.error(`[facilitator ${e.level}] ${e.message}`, e.data ?? '');
 */
export type Log = (event: LogEvent) => void;

/** A function that is always safe to call, whether or not a {@link Log} was given. */
export type Emit = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/**
 * Wrap an optional {@link Log} into an {@link Emit}.
 *
 * @example
 * const emit = createEmitter(options.log);
 * emit('error', 'unexpected error in /settle', { error: String(error) });
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
