import type { MetricSpec, Observer } from '@anneal/core';

export interface ProgressOptions {
  readonly label: string;
  readonly totalSteps: number;
  /** Where output goes (default process.stderr). */
  readonly stream?: NodeJS.WriteStream;
  /** Force TTY (bar) or plain lines; default: stream.isTTY. */
  readonly tty?: boolean;
  /** Plain-line sink used on non-TTY (also feeds the run log). */
  readonly log: (line: string) => void;
  /** The model's declared metrics (percentages print as such); known once the plan is built. */
  readonly metrics?: () => readonly MetricSpec[];
}

/** "accuracy 90.00% error 10.00% mean_loss 0.3000": every metric, percentages as such. */
export function formatMetrics(values: Readonly<Record<string, number>>, specs: readonly MetricSpec[]): string {
  const isPercent = (k: string) => specs.find((s) => s.key === k)?.percent ?? false;
  return Object.entries(values)
    .map(([k, v]) => `${k} ${isPercent(k) ? `${(v * 100).toFixed(2)}%` : v.toFixed(4)}`)
    .join(' ');
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Progress: a redrawn bar on a TTY, plain lines (per epoch and evaluation) otherwise. */
export function createProgressObserver(options: ProgressOptions): Observer {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const start = Date.now();
  let startStep = 0;
  let lastDraw = 0;
  let lastLoss = NaN;
  let lastAcc = '';
  const draw = (step: number, force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const frac = options.totalSteps > 0 ? Math.min(1, step / options.totalSteps) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const done = step - startStep;
    const eta = done > 0 ? ((now - start) / done) * (options.totalSteps - step) : NaN;
    const line = `${options.label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(frac * 100).toFixed(0).padStart(3)}% step ${step}/${options.totalSteps} loss ${lastLoss.toFixed(4)}${lastAcc} ETA ${formatDuration(eta)}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 160) - 1)}`);
  };
  return {
    name: 'progress',
    on: {
      'run:start': (e) => {
        startStep = e.resumedFromStep;
        if (e.resumedFromStep > 0) options.log(`${options.label} resumed at step ${e.resumedFromStep}`);
      },
      'step:end': (r) => {
        lastLoss = r.loss;
        if (tty) draw(r.step + 1);
      },
      'epoch:end': (e) => {
        if (!tty) options.log(`${options.label} epoch ${e.epoch + 1} step ${e.step}/${options.totalSteps} loss ${e.meanLoss?.toFixed(4)} (${formatDuration(Date.now() - start)})`);
      },
      'eval:end': (e) => {
        const specs = options.metrics?.() ?? [];
        const [first] = Object.keys(e.metrics);
        lastAcc = first === undefined ? '' : ` ${e.split} ${formatMetrics({ [first]: e.metrics[first] }, specs)}`;
        if (tty) draw(e.step, true);
        else options.log(`${options.label} eval ${e.split}: ${formatMetrics(e.metrics, specs)} (n=${e.count})`);
      },
      'run:end': () => {
        if (tty) stream.write('\r\x1b[2K');
      },
      'run:failed': () => {
        if (tty) stream.write('\n');
      },
    },
  };
}
