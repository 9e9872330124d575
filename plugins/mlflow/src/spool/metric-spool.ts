import type { CallOptions, MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import type { MetricIn } from '../client/types.js';
import { countJsonlLines, readJsonlLines } from './jsonl-lines.js';
import { LIMITS, splitBatches, toWireMetric } from './limits.js';
import type { TargetState } from './sync-state.js';

export interface MetricSpoolContext {
  /** The run's metrics.jsonl. */
  readonly path: string;
  readonly localRunId: string;
  readonly client: MlflowClient;
  log(line: string): void;
  warnOnce(key: string, line: string): void;
  readonly stats: { metrics: number; skippedMetricLines: number };
  /** The delivery state (metricLinesDelivered, mlflowRunId), shared with the run's deliverer. */
  state(): TargetState;
  save(): void;
}

/**
 * The metric half of a run's delivery: reads metrics.jsonl after the lines the server acknowledged,
 * sends them in batches (a refused batch is bisected so one bad point cannot block the rest), and
 * records progress only after each acknowledgement.
 */
export class MetricSpool {
  /** Byte offset in metrics.jsonl of line `state.metricLinesDelivered`; computed lazily. */
  private byteOffset?: number;

  constructor(private readonly ctx: MetricSpoolContext) {}

  /** The delivery state was reset (a new MLflow run): find the offset again. */
  forgetOffset(): void {
    this.byteOffset = undefined;
  }

  private offset(): number {
    const state = this.ctx.state();
    if (this.byteOffset === undefined) {
      const { lines, offset } = countJsonlLines(this.ctx.path, 0, state.metricLinesDelivered);
      if (lines < state.metricLinesDelivered) {
        this.ctx.log(`metrics.jsonl of run ${this.ctx.localRunId} has ${lines} lines but ${state.metricLinesDelivered} were recorded as delivered; re-sending from the start (the server drops duplicates).`);
        state.metricLinesDelivered = 0;
        this.byteOffset = 0;
      } else {
        this.byteOffset = offset;
      }
    }
    return this.byteOffset;
  }

  /** Complete lines not yet acknowledged. */
  pendingLines(): number {
    return countJsonlLines(this.ctx.path, this.offset()).lines;
  }

  /** Up to `maxLines` complete lines after the delivered ones, as wire metrics (unreadable lines skipped and counted). */
  private readNext(maxLines: number): { metrics: MetricIn[]; lines: number; bytes: number } {
    const next = readJsonlLines(this.ctx.path, this.offset(), maxLines);
    const metrics: MetricIn[] = [];
    for (const line of next.texts) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const m = toWireMetric(parsed);
      if (m) metrics.push(m);
      else {
        this.ctx.stats.skippedMetricLines++;
        this.ctx.warnOnce('badline', `skipping an unreadable line in ${this.ctx.path}: ${line.slice(0, 120)}`);
      }
    }
    return { metrics, lines: next.lines, bytes: next.bytes };
  }

  private async send(metrics: MetricIn[], opts: CallOptions): Promise<void> {
    if (metrics.length === 0) return;
    try {
      await this.ctx.client.logBatch({ runId: this.ctx.state().mlflowRunId!, metrics }, opts);
      this.ctx.stats.metrics += metrics.length;
    } catch (error) {
      if (!isMlflowError(error) || error.retryable) throw error;
      if (metrics.length === 1) {
        this.ctx.stats.skippedMetricLines++;
        this.ctx.log(`MLflow refused metric ${JSON.stringify(metrics[0])} of run ${this.ctx.localRunId}: ${error.errorCode} ${error.serverMessage.slice(0, 200)}`);
        return;
      }
      const mid = Math.ceil(metrics.length / 2);
      await this.send(metrics.slice(0, mid), opts);
      await this.send(metrics.slice(mid), opts);
    }
  }

  /** Sends every complete spooled line; true when none is left. */
  async deliver(opts: CallOptions): Promise<boolean> {
    for (;;) {
      if (opts.signal?.aborted) return false;
      const next = this.readNext(LIMITS.maxMetricsPerBatch);
      if (next.lines === 0) return true;
      for (const batch of splitBatches({ metrics: next.metrics })) await this.send(batch.metrics, opts);
      this.ctx.state().metricLinesDelivered += next.lines;
      this.byteOffset = (this.byteOffset ?? 0) + next.bytes;
      this.ctx.save();
    }
  }
}
