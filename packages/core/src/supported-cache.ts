/**
 * The resource server's memory of each facilitator's `/supported`: asked once, shared by concurrent
 * callers while in flight, retried after a failure only once `retryAfterMs` has passed, and never
 * waited on longer than `waitMs` when building offers. Module-internal to `resource-server.ts`.
 */
import type { FacilitatorClient } from './facilitator-client.js';
import { canonicalNetwork, toCaip2 } from './networks/registry.js';
import type { SupportedKind, SupportedResponse } from './protocol/schemas.js';
import type { FacilitatorSupport } from './resource-server-types.js';

/** What {@link SupportedCache.kindFor} finds: the facilitator to call, its kind and extensions. */
export type KindChoice = { facilitator: number; kind?: SupportedKind; extensions: string[] };

/** See {@link createSupportedCache}. */
export type SupportedCache = {
  /** Ask every facilitator not known yet (each at most once at a time). Never throws. */
  refreshAll(): Promise<void>;
  /** The first facilitator whose `/supported` lists this kind; facilitator 0 when none does. */
  kindFor(x402Version: 1 | 2, scheme: string, network: string): Promise<KindChoice>;
  /** Each facilitator's answer, or why it has none (after asking those not known yet). */
  report(): Promise<FacilitatorSupport[]>;
};

type Slot = { value?: SupportedResponse; failedAt?: number; error?: string; pending?: Promise<void> };

/**
 * A `/supported` memory over these facilitators.
 *
 * @example
 * const cache = createSupportedCache([facilitator], { retryAfterMs: 5_000, waitMs: 2_000 })
 * const { facilitator: index, kind } = await cache.kindFor(2, 'exact', 'eip155:84532')
 */
export function createSupportedCache(
  facilitators: FacilitatorClient[],
  timing: { retryAfterMs: number; waitMs: number },
): SupportedCache {
  const slots: Slot[] = facilitators.map(() => ({}));
  const refreshAll = () =>
    Promise.all(facilitators.map((client, i) => refresh(client, slots[i]!, timing.retryAfterMs))).then(
      () => undefined,
    );
  return {
    refreshAll,
    async kindFor(x402Version, scheme, network) {
      if (slots.some((s) => !s.value)) await withinMs(refreshAll(), timing.waitMs);
      return findKind(slots, x402Version, scheme, network);
    },
    async report() {
      await refreshAll();
      return facilitators.map((client, i) => supportOf(client, slots[i]!, i));
    },
  };
}

/** Ask one facilitator unless its answer is known, a lookup is in flight, or it failed too recently. */
function refresh(client: FacilitatorClient, slot: Slot, retryAfterMs: number): Promise<void> {
  if (slot.value) return Promise.resolve();
  if (slot.pending) return slot.pending;
  if (slot.failedAt !== undefined && Date.now() - slot.failedAt < retryAfterMs) return Promise.resolve();
  slot.pending = client
    .supported()
    .then((value) => {
      slot.value = value;
      slot.failedAt = undefined;
    })
    .catch((error: unknown) => {
      slot.failedAt = Date.now();
      slot.error = error instanceof Error ? error.message : String(error);
    })
    .finally(() => {
      slot.pending = undefined;
    });
  return slot.pending;
}

function findKind(slots: Slot[], x402Version: 1 | 2, scheme: string, network: string): KindChoice {
  for (let i = 0; i < slots.length; i++) {
    const value = slots[i]!.value;
    const kind = value?.kinds.find(
      (k) =>
        k.x402Version === x402Version &&
        k.scheme === scheme &&
        canonicalNetwork(toCaip2(k.network) ?? k.network) === canonicalNetwork(network),
    );
    if (kind && value) return { facilitator: i, kind, extensions: value.extensions };
  }
  return { facilitator: 0, extensions: slots[0]!.value?.extensions ?? [] };
}

function supportOf(client: FacilitatorClient, slot: Slot, i: number): FacilitatorSupport {
  const name = 'url' in client && typeof client.url === 'string' ? client.url : `facilitator #${i + 1}`;
  if (slot.value) return { name, supported: slot.value };
  return { name, error: slot.error ?? 'no answer yet' };
}

/** Resolve when `p` settles or after `ms`, whichever is first (the work itself goes on). */
function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
