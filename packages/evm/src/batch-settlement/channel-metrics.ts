/**
 * Operational figures of a server's `batch-settlement` channels: how many are open, how much was served
 * but not yet claimed on chain, and how large the claim batches were. Plain numbers from
 * {@link ChannelMetrics.read}; `register` exposes them as Prometheus gauges on a `prom-client` registry
 * (the facilitator's metrics use `prom-client`; this package does not depend on it, so the caller
 * hands in its `Gauge` class).
 */
import type { ChannelStore } from './channel-store.js';
import type { ClaimScheduler } from './claim-scheduler.js';

/** The figures at one moment. */
export type ChannelMetricsReading = {
  /** Channels the store knows. */
  openChannels: number;
  /** Charged but not yet claimed, over all channels (atomic units). */
  unclaimedValue: bigint;
  /** Rows of the last claim batch (0 before any). */
  lastClaimBatchSize: number;
  /** Claim batches submitted so far. */
  claimBatches: number;
};

/** A `prom-client` style gauge class: `new Gauge({ name, help, registers, collect })`. */
export type GaugeClass<R> = new (config: {
  name: string;
  help: string;
  registers: R[];
  collect(this: { set(value: number): void }): Promise<void>;
}) => unknown;

/** What {@link channelMetrics} returns. */
export type ChannelMetrics = {
  read(): Promise<ChannelMetricsReading>;
  /** Add the gauges `x402kit_batch_settlement_{open_channels,unclaimed_value,claim_batch_size,claim_batches}`. */
  register<R>(registry: R, Gauge: GaugeClass<R>): void;
};

/**
 * The metrics of a channel store (and of its claim scheduler, for batch sizes).
 *
 * @example
 * const metrics = channelMetrics(scheme.store, scheduler)
 * await metrics.read() // { openChannels: 10, unclaimedValue: 5000n, lastClaimBatchSize: 10, claimBatches: 1 }
 * metrics.register(registry, Gauge) // prom-client's Registry and Gauge
 */
export function channelMetrics(
  store: ChannelStore,
  scheduler?: Pick<ClaimScheduler, 'batchSizes'>,
): ChannelMetrics {
  const read = async (): Promise<ChannelMetricsReading> => {
    const channels = await store.list();
    let unclaimedValue = 0n;
    for (const c of channels) {
      const open = BigInt(c.chargedCumulativeAmount) - BigInt(c.totalClaimed);
      if (open > 0n) unclaimedValue += open;
    }
    const sizes = scheduler?.batchSizes ?? [];
    return {
      openChannels: channels.length,
      unclaimedValue,
      lastClaimBatchSize: sizes.at(-1) ?? 0,
      claimBatches: sizes.length,
    };
  };
  return {
    read,
    register(registry, Gauge) {
      const gauge = (name: string, help: string, pick: (r: ChannelMetricsReading) => number) =>
        new Gauge({
          name: `x402kit_batch_settlement_${name}`,
          help,
          registers: [registry],
          async collect() {
            this.set(pick(await read()));
          },
        });
      gauge('open_channels', 'Channels the resource server keeps.', (r) => r.openChannels);
      gauge('unclaimed_value', 'Charged but not yet claimed on chain, atomic units.', (r) =>
        Number(r.unclaimedValue),
      );
      gauge('claim_batch_size', 'Channels in the last claim transaction.', (r) => r.lastClaimBatchSize);
      gauge('claim_batches', 'Claim transactions submitted.', (r) => r.claimBatches);
    },
  };
}
