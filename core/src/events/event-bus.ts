import { EventEmitter } from 'eventemitter3';
import type { Observer, TrainEventName, TrainEvents } from './train-events.js';

export interface ObserverFailure {
  readonly observer: string;
  readonly event: TrainEventName;
  readonly error: unknown;
}

/**
 * Lifecycle events on eventemitter3, made safe for async observers:
 * - handlers run after the step committed, get frozen plain-number payloads;
 * - each observer's handlers are chained (its events arrive in order) but never awaited by the
 *   training loop — `settle()` awaits them at defined points (epoch end, run end);
 * - non-logger observers are called before loggers;
 * - a throw or rejection is caught, tagged with the observer and event, and reported through
 *   `onFailure` (never swallowed, never crashes the run).
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly failures: ObserverFailure[] = [];
  private pendingCount = 0;

  constructor(
    private readonly onFailure: (failure: ObserverFailure) => void = (f) =>
      process.stderr.write(`anneal: observer '${f.observer}' failed on ${f.event}: ${f.error instanceof Error ? f.error.message : String(f.error)}\n`),
    /** Beyond this many unsettled handler calls, `emit` callers should `settle()` (back-pressure). */
    readonly maxPending = 512,
  ) {}

  /** Registers observers: non-loggers first, loggers last, each in the given order. */
  attach(observers: readonly Observer[]): void {
    const ordered = [...observers.filter((o) => !o.isLogger), ...observers.filter((o) => o.isLogger)];
    for (const observer of ordered) {
      for (const [event, handler] of Object.entries(observer.on) as [TrainEventName, (p: unknown) => unknown][]) {
        if (typeof handler !== 'function') continue;
        this.emitter.on(event, (payload: unknown) => this.enqueue(observer.name, event, () => handler.call(observer.on, payload)));
      }
    }
  }

  private enqueue(name: string, event: TrainEventName, call: () => unknown): void {
    const previous = this.chains.get(name) ?? Promise.resolve();
    this.pendingCount++;
    const next = previous.then(async () => {
      try {
        await call();
      } catch (error) {
        const failure = { observer: name, event, error };
        this.failures.push(failure);
        this.onFailure(failure);
      } finally {
        this.pendingCount--;
      }
    });
    this.chains.set(name, next);
  }

  private readonly taps: ((event: TrainEventName, payload: unknown) => void)[] = [];

  /**
   * A synchronous, read-only trace of every emit, in emit order (for the golden order test and
   * debugging). Observers proper are asynchronous; use them for everything else.
   */
  tap(listener: (event: TrainEventName, payload: unknown) => void): void {
    this.taps.push(listener);
  }

  emit<E extends TrainEventName>(event: E, payload: TrainEvents[E]): void {
    const frozen = Object.freeze(payload);
    for (const t of this.taps) t(event, frozen);
    this.emitter.emit(event, frozen);
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Awaits every handler call made so far. */
  async settle(): Promise<void> {
    while (this.pendingCount > 0) await Promise.all([...this.chains.values()]);
  }

  get observerFailures(): readonly ObserverFailure[] {
    return this.failures;
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
