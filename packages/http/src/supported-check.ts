/**
 * The check of a payment handler's routes against its facilitators' `/supported`. A route that
 * offers a scheme on a network no facilitator serves would take a client's signature and then
 * fail every payment at verify (`invalid_network`), so it is refused before anyone signs:
 * `PaymentHandler.ready()` throws at startup, naming the route, the scheme, the network and the
 * facilitators asked; without it, such a route answers 503 instead of its first 402. A
 * facilitator that cannot be reached leaves the check undecided (the payment then fails at verify
 * with `facilitator_unavailable`, and nothing is charged).
 */
import {
  canonicalNetwork,
  type Emit,
  type FacilitatorSupport,
  Reasons,
  type ResourceServer,
  toCaip2,
  X402Error,
} from '@x402kit/core';
import type { PaymentReply } from './buffered-response.js';
import { NO_STORE } from './response-headers.js';
import type { CompiledRoute, RouteTable } from './route-table.js';

/** One offer of a route that no facilitator supports. */
export type UnsupportedOffer = { route: string; scheme: string; network: string };

/** What the check found for a set of routes. */
type Findings = {
  unsupported: UnsupportedOffer[];
  /** Facilitators that did not answer `/supported` (their kinds are unknown). */
  unreachable: FacilitatorSupport[];
  support: FacilitatorSupport[];
};

/** The check as the payment handler uses it. */
export type SupportedCheck = {
  /** Check every route now; throws an `X402Error` naming each unsupported offer, or the unreachable facilitators. */
  assertAll(): Promise<void>;
  /** The 503 of a route no facilitator supports (decided once per route); `undefined` when it is served or undecided. */
  refusal(route: CompiledRoute): Promise<PaymentReply | undefined>;
  /** Log what is wrong (warm-up at creation); never throws. */
  report(): Promise<void>;
};

/**
 * Create the check. `skip` turns it off (`skipSupportedCheck`); `waitMs` bounds how long a
 * request waits for a slow facilitator's `/supported` before being served undecided.
 *
 * @example
 * const check = createSupportedCheck({ server, table, emit, skip: false, waitMs: 2000 });
 * await check.assertAll(); // X402Error missing_facilitator: route "GET /weather" offers exact on eip155:1 ...
 */
export function createSupportedCheck(options: {
  server: ResourceServer;
  table: RouteTable;
  emit: Emit;
  skip: boolean;
  waitMs: number;
}): SupportedCheck {
  const { server, table, emit } = options;
  /** Decided routes: `null` when served, else their refusal. */
  const decided = new Map<CompiledRoute, PaymentReply | null>();

  async function assertAll(): Promise<void> {
    if (options.skip) return;
    const found = findUnsupported(table.routes, await server.facilitatorSupport());
    if (found.unsupported.length > 0)
      throw new X402Error(Reasons.missingFacilitator, describeUnsupported(found), {
        details: { unsupported: found.unsupported },
      });
    if (found.unreachable.length > 0)
      throw new X402Error(
        Reasons.facilitatorUnavailable,
        `cannot check the routes against the facilitator: ${found.unreachable.map((f) => `${f.name} (${f.error})`).join(', ')}; start it first, or pass skipSupportedCheck: true to start anyway`,
      );
  }

  async function refusal(route: CompiledRoute): Promise<PaymentReply | undefined> {
    if (options.skip) return undefined;
    const known = decided.get(route);
    if (known !== undefined) return known ?? undefined;
    const support = await withinMs(server.facilitatorSupport(), options.waitMs);
    if (!support) return undefined;
    const found = findUnsupported([route], support);
    if (found.unsupported.length === 0) {
      if (found.unreachable.length === 0) decided.set(route, null);
      return undefined;
    }
    const message = describeUnsupported(found);
    emit('error', `${message}; answering 503 instead of a 402 on it`, { route: route.key });
    const reply = unsupportedReply(found.unsupported);
    decided.set(route, reply);
    return reply;
  }

  async function report(): Promise<void> {
    if (options.skip) return;
    const found = findUnsupported(table.routes, await server.facilitatorSupport());
    if (found.unsupported.length > 0) emit('error', describeUnsupported(found));
  }

  return { assertAll, refusal, report };
}

function findUnsupported(routes: readonly CompiledRoute[], support: FacilitatorSupport[]): Findings {
  const unreachable = support.filter((f) => !f.supported);
  const unsupported: UnsupportedOffer[] = [];
  for (const route of routes) {
    for (const option of route.options) {
      const network = networkOf(option.network);
      // any x402 version: a kind listed for v1 only (a v1 network name) still names the network
      const served = support.some((f) =>
        f.supported?.kinds.some((k) => k.scheme === option.scheme && networkOf(k.network) === network),
      );
      // a facilitator that did not answer may serve it: undecided, not refused
      if (!served && unreachable.length === 0)
        unsupported.push({ route: route.key, scheme: option.scheme, network });
    }
  }
  return { unsupported, unreachable, support };
}

function describeUnsupported(found: Findings): string {
  const offers = found.unsupported
    .map((u) => `route "${u.route}" offers ${u.scheme} on ${u.network}`)
    .join('; ');
  const served = found.support
    .map((f) => {
      const kinds = [
        ...new Set((f.supported?.kinds ?? []).map((k) => `${k.scheme} on ${networkOf(k.network)}`)),
      ];
      return `${f.name} supports ${kinds.length > 0 ? kinds.join(', ') : 'nothing'}`;
    })
    .join('; ');
  return `${offers}, which no facilitator supports (${served}): serve that network on the facilitator or change the route (skipSupportedCheck: true starts anyway)`;
}

function unsupportedReply(unsupported: UnsupportedOffer[]): PaymentReply {
  const what = unsupported.map((u) => `${u.scheme} on ${u.network}`).join(', ');
  return {
    status: 503,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE },
    body: JSON.stringify({
      error: Reasons.missingFacilitator,
      message: `this route cannot take payments: the server's facilitator does not support ${what}`,
    }),
  };
}

/** A network in its canonical CAIP-2 form (v1 names such as `base-sepolia` too). */
function networkOf(network: string): string {
  return canonicalNetwork(toCaip2(network) ?? network);
}

async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
