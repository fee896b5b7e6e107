/**
 * The package's logging hook. Library code never prints: it hands events to an optional
 * callback, and the application decides where they go.
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

/**
 * Wrap an optional {@link Log} into a function that is always safe to call.
 *
 * @example
 * const emit = createEmitter(options.log);
 * emit('warn', 'facilitator unreachable', { url });
 */
export function createEmitter(
  log: Log | undefined,
): (level: LogLevel, message: string, data?: Record<string, unknown>) => void {
  if (!log) return () => {};
  return (level, message, data) => {
    try {
      log(data === undefined ? { level, message } : { level, message, data });
    } catch {
      // a broken logger must never break a request
    }
  };
}
