/**
 * A run's heartbeat: calls `beat` at most once per `everyMs`. The training loop calls `maybeBeat()`
 * on every tracker call (one clock read when nothing is due); an unref'd timer, ticking twice per
 * interval, covers phases in which nothing is logged but the event loop turns (waiting on I/O,
 * end-of-run delivery), so beats are at most 1.5 intervals apart while the loop turns.
 */
export class Heartbeat {
  private last: number;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly beat: (now: number) => void,
    readonly everyMs: number,
    now = Date.now(),
  ) {
    this.last = now;
    this.timer = setInterval(() => this.maybeBeat(), Math.max(1, everyMs / 2));
    this.timer.unref();
  }

  /** Beats when `everyMs` has passed since the last beat; true when it did. */
  maybeBeat(now = Date.now()): boolean {
    if (this.stopped || now - this.last < this.everyMs) return false;
    this.last = now;
    try {
      this.beat(now);
    } catch {
      // A missed heartbeat only makes the run look stale sooner; training goes on.
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
