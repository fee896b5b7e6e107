/**
 * The leases of one facilitator instance on its settlement keys: taken all at start (or none: a
 * key held by another live instance refuses the start with {@link SettlementKeyInUseError}),
 * heart-beaten every quarter of the bound, given up on a clean shutdown. Two instances sending from
 * one key would each count nonces locally and collide (`nonce too low`, `replacement transaction
 * underpriced`); one live sender per key keeps every nonce lane whole.
 *
 * The instance fences itself: `held()` turns false once its last successful heartbeat is older
 * than three quarters of the bound (the database is unreachable, say), or when another instance
 * took a key over; the facilitator then refuses new settlements (see `guardSettlements`) before
 * another instance can have taken the key.
 */
import { X402Error } from '@x402kit/core';
import { answerWithin } from '../db/answer-within.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import { createEmitter, type Emit, type Log } from '../log.js';
import type { KeyLeaseStore, LeaseRequest, SettlementKey } from './key-lease-store.js';

/** Options of `acquireKeyLeases`. */
export type AcquireKeyLeasesOptions = {
  store: KeyLeaseStore;
  /** Every address this instance sends settlements from, per chain family. */
  keys: readonly SettlementKey[];
  /** The instance id, shown to an instance that is refused. */
  holder: string;
  /** Silent for longer than this, the leases may be taken over by another instance. */
  staleAfterMs: number;
  log?: Log;
  /** Random by default; tests pass their own. */
  token?: string;
  /** A monotonic clock in ms, for the fence; default `performance.now`. */
  clock?: () => number;
};

/** What `acquireKeyLeases` returns. */
export type KeyLeases = {
  readonly keys: readonly SettlementKey[];
  /** True while every lease is this instance's and was renewed recently enough that nobody can have taken it. */
  held(): boolean;
  /** Why `held()` is false (for `/health` and refused settlements); undefined while held. */
  problem(): string | undefined;
  /** One heartbeat now (the timer calls it every `staleAfterMs / 4`); re-takes a key that came free. */
  heartbeat(): Promise<void>;
  /** Start the heartbeat timer (unref'd). */
  start(): void;
  /** Stop heart-beating and give every lease up; safe to call twice. */
  release(): Promise<void>;
};

/**
 * A start refused because another live instance holds one of our settlement keys. The message says
 * what to do and names the address, never the key.
 *
 * @example
 * try { await acquireKeyLeases(options) } catch (e) { if (e instanceof SettlementKeyInUseError) console.error(e.message, e.freeInMs) }
 */
export class SettlementKeyInUseError extends X402Error {
  override name = 'SettlementKeyInUseError';
  readonly key: SettlementKey;
  readonly holder: string;
  /** When the key comes free if its holder stops heart-beating now. */
  readonly freeInMs: number;

  constructor(
    key: SettlementKey,
    refusal: { holder: string; silentForMs: number; staleAfterMs: number; freeInMs: number },
  ) {
    const wait = Math.ceil(refusal.freeInMs / 1000);
    super(
      FacilitatorReasons.settlementKeyInUse,
      `settlement key ${key.address} (${key.family}) is in use by instance "${refusal.holder}" ` +
        `(last heartbeat ${refusal.silentForMs} ms ago): two instances sending from one key collide on nonces. ` +
        'Give each instance its own key (signers.privateKeys / FACILITATOR_PRIVATE_KEY), or, if that instance ' +
        `just died, start again in ${wait} s (a key is taken over once its holder is silent for ` +
        `${refusal.staleAfterMs} ms, keyLease.staleAfterMs).`,
      {
        details: {
          family: key.family,
          address: key.address,
          holder: refusal.holder,
          freeInMs: refusal.freeInMs,
        },
      },
    );
    this.key = { family: key.family, address: key.address };
    this.holder = refusal.holder;
    this.freeInMs = refusal.freeInMs;
  }
}

/**
 * Take the leases on every key, or none.
 *
 * @example
 * const leases = await acquireKeyLeases({ store, keys: [{ family: 'evm', address }], holder: 'facilitator-a', staleAfterMs: 10_000 })
 * leases.start()
 * // shutdown: await leases.release()
 */
export async function acquireKeyLeases(options: AcquireKeyLeasesOptions): Promise<KeyLeases> {
  const { store, holder, staleAfterMs } = options;
  const emit = createEmitter(options.log);
  const clock = options.clock ?? (() => performance.now());
  const token = options.token ?? crypto.randomUUID();
  const requests: LeaseRequest[] = options.keys.map((key) => ({ ...key, holder, token, staleAfterMs }));
  const startedAt = clock();
  await takeAll(store, requests, emit);

  const state: LeaseState = {
    store,
    requests,
    staleAfterMs,
    emit,
    clock,
    fenceMs: (staleAfterMs * 3) / 4,
    renewedAt: startedAt,
    lost: new Map<string, string>(),
    unreachable: undefined,
    beating: undefined,
    timer: undefined,
    released: undefined,
  };
  const heartbeat = (): Promise<void> => {
    state.beating ??= beat(state).finally(() => {
      state.beating = undefined;
    });
    return state.beating;
  };
  return {
    keys: options.keys,
    held: () =>
      state.released === undefined && state.lost.size === 0 && clock() - state.renewedAt < state.fenceMs,
    problem: () => problem(state),
    heartbeat,
    start() {
      if (state.timer || state.released) return;
      state.timer = setInterval(() => void heartbeat(), Math.max(10, Math.floor(staleAfterMs / 4)));
      state.timer.unref();
    },
    release() {
      state.released ??= releaseAll(state);
      return state.released;
    },
  };
}

/** The leases of one instance once taken: what the heartbeat, the fence and the release share. */
type LeaseState = {
  store: KeyLeaseStore;
  requests: LeaseRequest[];
  staleAfterMs: number;
  emit: Emit;
  clock: () => number;
  /** `held()` turns false once the last renewal is this old. */
  fenceMs: number;
  renewedAt: number;
  /** Keys another instance took, by name, with why. */
  lost: Map<string, string>;
  /** The store's last error while it does not answer. */
  unreachable: string | undefined;
  beating: Promise<void> | undefined;
  timer: ReturnType<typeof setInterval> | undefined;
  released: Promise<void> | undefined;
};

const name = (r: SettlementKey) => `${r.address} (${r.family})`;

/** Take every lease in order, or none: a refused key gives back the ones already taken. */
async function takeAll(store: KeyLeaseStore, requests: LeaseRequest[], emit: Emit): Promise<void> {
  const taken: LeaseRequest[] = [];
  try {
    for (const request of requests) {
      const result = await store.acquire(request);
      if (!result.acquired) throw new SettlementKeyInUseError(request, result);
      taken.push(request);
      if (result.previous) {
        emit(
          'warn',
          `took over settlement key ${request.address} (${request.family}) from instance "${result.previous.holder}", silent for ${result.previous.silentForMs} ms`,
        );
      }
    }
  } catch (error) {
    await Promise.all(taken.map((request) => store.release(request).catch(() => {})));
    throw error;
  }
}

/** Renew every lease (re-taking a key that came free); note the keys lost and whether the store answers. */
async function beat(state: LeaseState): Promise<void> {
  const { store, lost, emit } = state;
  const at = state.clock();
  try {
    for (const request of state.requests) {
      if (await store.renew(request)) {
        lost.delete(name(request));
        continue;
      }
      // taken over (we were silent too long) or deleted by hand: ours again only if it is free
      const result = await store.acquire(request);
      if (result.acquired) {
        if (lost.delete(name(request))) emit('info', `settlement key ${name(request)}: lease taken back`);
      } else if (!lost.has(name(request))) {
        lost.set(name(request), `instance "${result.holder}" holds it now`);
        emit(
          'error',
          `settlement key ${name(request)}: lease lost to instance "${result.holder}"; settlements are refused until it is free again`,
        );
      }
    }
    if (state.unreachable !== undefined) emit('info', 'settlement key leases: the store answers again');
    state.unreachable = undefined;
    if (lost.size === 0) state.renewedAt = at;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (state.unreachable === undefined) emit('warn', `settlement key leases: heartbeat failed: ${text}`);
    state.unreachable = text;
  }
}

/** Why the leases are not held; undefined while they are. */
function problem(state: LeaseState): string | undefined {
  const { clock, renewedAt, unreachable } = state;
  if (state.released) return 'the settlement key leases were released (the instance is stopping)';
  const first = state.lost.entries().next().value;
  if (first) return `the lease on settlement key ${first[0]} was lost: ${first[1]}`;
  if (clock() - renewedAt >= state.fenceMs) {
    return `the settlement key leases were not renewed for ${Math.round(clock() - renewedAt)} ms${unreachable ? ` (${unreachable})` : ''}`;
  }
  return undefined;
}

/** Stop heart-beating and give every lease up, within the bound each. */
async function releaseAll(state: LeaseState): Promise<void> {
  const { store, staleAfterMs, emit } = state;
  if (state.timer) clearInterval(state.timer);
  // an unreachable database must not hold the shutdown: past the bound the leases lapse anyway
  await answerWithin(state.beating ?? Promise.resolve(), staleAfterMs).catch(() => {});
  await Promise.all(
    state.requests.map((request) =>
      answerWithin(store.release(request), staleAfterMs).catch((error: unknown) => {
        emit(
          'warn',
          `settlement key ${name(request)}: lease not released (${error instanceof Error ? error.message : String(error)}); another instance may take it once it is silent for ${staleAfterMs} ms`,
        );
      }),
    ),
  );
}
