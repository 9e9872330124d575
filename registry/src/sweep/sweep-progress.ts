/** What the progress display needs to know of a stream. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Sweep progress: trials done / running / failed and an ETA. On a TTY a status line is redrawn at the
 * bottom (once a second) under the permanent per-trial lines; otherwise every event is a plain line.
 * The ETA is (queued + running) × mean trial time of this session ÷ workers, minus the time the
 * running trials have already spent.
 */
export class SweepProgress {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private readonly running = new Map<string, number>();
  private readonly durations: number[] = [];
  private done: number;
  private failed = 0;
  private killed = 0;
  private timer?: NodeJS.Timeout;
  private statusShown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly opts: { total: number; alreadyDone: number; workers: number; queued: () => number; tty?: boolean },
  ) {
    this.tty = opts.tty ?? Boolean(stream.isTTY);
    this.done = opts.alreadyDone;
    if (this.tty) {
      this.timer = setInterval(() => this.drawStatus(), 1000);
      this.timer.unref();
    }
  }

  /** A permanent line (above the status line on a TTY). */
  line(text: string): void {
    if (this.tty) {
      this.clearStatus();
      this.stream.write(`${text}\n`);
      this.drawStatus();
    } else this.stream.write(`${text}\n`);
  }

  trialStarted(key: string, label: string, workerId: number | string, resumed: boolean): void {
    this.running.set(key, Date.now());
    if (!this.tty) this.line(`sweep: ${resumed ? 'resume' : 'start'} ${label} (worker ${workerId}) · ${this.counts()}`);
    else this.drawStatus();
  }

  ended(key: string, status: 'FINISHED' | 'FAILED' | 'KILLED', text: string, durationMs: number): void {
    this.running.delete(key);
    if (status === 'FINISHED') {
      this.done++;
      this.durations.push(durationMs);
    } else if (status === 'FAILED') {
      this.failed++;
      this.durations.push(durationMs);
    } else this.killed++;
    this.line(`sweep: [${this.done + this.failed}/${this.opts.total}] ${text} · ${this.counts()}`);
  }

  /** "5/12 done · 1 failed · 2 running · 4 queued · ETA 1m30s". */
  counts(): string {
    const parts = [`${this.done}/${this.opts.total} done`];
    if (this.failed) parts.push(`${this.failed} failed`);
    if (this.killed) parts.push(`${this.killed} killed`);
    parts.push(`${this.running.size} running`);
    const q = this.opts.queued();
    if (q) parts.push(`${q} queued`);
    parts.push(`ETA ${formatDuration(this.etaMs())}`);
    return parts.join(' · ');
  }

  etaMs(): number {
    const q = this.opts.queued();
    if (q === 0 && this.running.size === 0) return 0;
    if (this.durations.length === 0) return Number.NaN;
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    const now = Date.now();
    let work = q * mean;
    for (const t of this.running.values()) work += Math.max(0, mean - (now - t));
    return work / Math.max(1, Math.min(this.opts.workers, q + this.running.size));
  }

  private clearStatus(): void {
    if (this.statusShown) this.stream.write('\r\x1b[2K');
    this.statusShown = false;
  }

  private drawStatus(): void {
    if (!this.tty) return;
    const text = `sweep: ${this.counts()} · elapsed ${formatDuration(Date.now() - this.started)}`;
    this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns ?? 160) - 1)}`);
    this.statusShown = true;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.clearStatus();
  }
}
