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
  on(eventName: 'event', listener: EventListener): this;
  on(eventName: 'finished', listener: FinishedListener): this;
  on(eventName: 'event' | 'finished', listener: EventListener | FinishedListener): this {
    if (eventName === 'event') this.bus.on('event', listener as EventListener);
    else this.bus.on('finished', listener as FinishedListener);
    return this;
  }
  off(eventName: 'event', listener: EventListener): this;
  off(eventName: 'finished', listener: FinishedListener): this;
  off(eventName: 'event' | 'finished', listener: EventListener | FinishedListener): this {
    if (eventName === 'event') this.bus.off('event', listener as EventListener);
    else this.bus.off('finished', listener as FinishedListener);
    return this;
  }
  once(eventName: 'event', listener: EventListener): this;
  once(eventName: 'finished', listener: FinishedListener): this;
  once(eventName: 'event' | 'finished', listener: EventListener | FinishedListener): this {
    if (eventName === 'event') this.bus.once('event', listener as EventListener);
    else this.bus.once('finished', listener as FinishedListener);
    return this;
  }
  removeAllListeners(eventName?: 'event' | 'finished'): this {
    this.bus.removeAllListeners(eventName);
    return this;
  }
}
