/**
 * An `ExecutionEventBus` that passes every event through a function on its way to the task's bus:
 * how the paid executor's status updates get the payment's metadata, and how the merchant notes the
 * last status it gave a task.
 */
import type {
  AgentExecutionEvent,
  EventListener,
  ExecutionEventBus,
  FinishedListener,
} from '@a2a-js/sdk/server';

type BusEventName = 'event' | 'finished';
/** The listener an event name takes: the events' listener, or the one told the task finished. */
type ListenerOf<E extends BusEventName> = E extends 'event' ? EventListener : FinishedListener;

/**
 * An event bus that passes every event through `stamp` on its way to `bus`.
 *
 * @example
 * const paid = new StampingEventBus(bus, (event) => (event.kind === 'statusUpdate' ? withReceipts(event) : event))
 */
export class StampingEventBus implements ExecutionEventBus {
  constructor(
    private readonly bus: ExecutionEventBus,
    private readonly stamp: (event: AgentExecutionEvent) => AgentExecutionEvent,
  ) {}
  publish(event: AgentExecutionEvent): void {
    this.bus.publish(this.stamp(event));
  }
  finished(): void {
    this.bus.finished();
  }
  on<E extends BusEventName>(eventName: E, listener: ListenerOf<E>): this {
    return this.forward('on', eventName, listener);
  }
  off<E extends BusEventName>(eventName: E, listener: ListenerOf<E>): this {
    return this.forward('off', eventName, listener);
  }
  once<E extends BusEventName>(eventName: E, listener: ListenerOf<E>): this {
    return this.forward('once', eventName, listener);
  }
  removeAllListeners(eventName?: BusEventName): this {
    this.bus.removeAllListeners(eventName);
    return this;
  }
  /** `bus.on`, `bus.off` or `bus.once` with the listener of its event. */
  private forward(
    method: 'on' | 'off' | 'once',
    eventName: BusEventName,
    listener: EventListener | FinishedListener,
  ): this {
    if (eventName === 'event') this.bus[method]('event', listener as EventListener);
    else this.bus[method]('finished', listener as FinishedListener);
    return this;
  }
}
