/**
 * A judgement made on first need only: verification defers a signature check (local recovery, or
 * RPC calls for contract wallets) until a step needs its answer, and never makes it twice.
 */

/** A judgement made at most once, on first need. */
export type LazyJudgement<T> = {
  /** The judgement, made now if it was not made yet. */
  judge(): Promise<T>;
  /** The judgement if it was made already, else `undefined` (nothing is judged). */
  judged(): T | undefined;
};

/**
 * Wrap `judge` so that it runs on the first `judge()` call only; later calls answer the same result.
 *
 * @example
 * const signature = lazyJudgement(() => verifyAuthorizationSignature(client, domain, authorization, sig))
 * signature.judged() // undefined: not judged yet
 * const verdict = await signature.judge() // judged now
 * signature.judged() // the same verdict, no new call
 */
export function lazyJudgement<T>(judge: () => Promise<T>): LazyJudgement<T> {
  let judgement: T | undefined;
  // the judgement in flight, shared by callers that ask before it is made; a failure is not kept
  let pending: Promise<T> | undefined;
  return {
    judge: () =>
      (pending ??= judge().then(
        (made) => (judgement = made),
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      )),
    judged: () => judgement,
  };
}
