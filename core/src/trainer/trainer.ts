import * as tf from '@tensorflow/tfjs-core';
import { AnnealError } from '../errors/anneal-error.js';
import { EventBus, type ObserverFailure } from '../events/event-bus.js';
import type { EvalEvent, StepRecord } from '../events/train-events.js';
import type { DataSplit } from '../data/dataset.js';
import type { ForwardContext, StepContext } from '../plugin/contexts.js';
import type { ForwardTransform } from '../plugin/transforms.js';
import { Rng } from '../random/rng.js';
import { batchRng, epochBatchOrder } from './batch-order.js';
import { hasCheckpoint, restoreCheckpoint, saveCheckpoint, type CheckpointPosition } from './checkpoint.js';
import type { ExecutionPlan, PlanEntry } from './execution-plan.js';
import { formatPlan } from './execution-plan.js';
import { learningRateFor } from './learning-rate.js';
import { createNormMemo } from './global-norm.js';
import { runStep, type PluginStates, type StageTracer } from './run-step.js';
import { createPluginStates, disposePluginStates } from './plugin-states.js';

export interface TrainerOptions {
  readonly runId: string;
  /** Where checkpoints go (the run's directory); no checkpoints when absent. */
  readonly checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir. */
  readonly resume?: boolean;
  /** Save a checkpoint every N epochs (default 1) and when stopped by a signal. */
  readonly checkpointEveryEpochs?: number;
  /** Abort (SIGINT/SIGTERM): the trainer checkpoints and returns status KILLED. */
  readonly signal?: AbortSignal;
  /** Stop as if interrupted after this many total steps (checkpoint saved; for tests and budgets). */
  readonly stopAfterSteps?: number;
  /** Params recorded at run:start. */
  readonly params?: Readonly<Record<string, string>>;
  readonly trace?: StageTracer;
  readonly onObserverFailure?: (failure: ObserverFailure) => void;
  /** Batch size used for evaluation passes (default 1000). */
  readonly evalBatchSize?: number;
}

export interface TrainResult {
  readonly status: 'FINISHED' | 'KILLED' | 'STOPPED';
  readonly steps: number;
  readonly epochs: number;
  /** Last evaluation per split ("test/accuracy", "train/error", "validation/mean_loss", …) and "train/epoch_loss" (last epoch's mean step loss). */
  readonly final: Readonly<Record<string, number>>;
  /** True when the loss became NaN/Inf and training stopped early. */
  readonly diverged: boolean;
  readonly observerFailures: readonly ObserverFailure[];
}

const NOISE_STD_SUFFIX = '/noise_std';

/**
 * Runs an ExecutionPlan: phases → epochs → steps (runStep), evaluation, events, checkpoints.
 * The step order itself lives in run-step.ts.
 */
export class Trainer {
  readonly events: EventBus;
  private readonly states: PluginStates = new Map();
  private readonly siteTransforms = new Map<string, readonly PlanEntry<ForwardTransform>[]>();
  private initialized = false;

  constructor(
    readonly plan: ExecutionPlan,
    private readonly options: TrainerOptions,
  ) {
    this.events = new EventBus(options.onObserverFailure);
    this.events.attach(plan.observers.map((o) => o.instance));
  }

  /** Creates every plugin's state with its own seed stream (idempotent). */
  private initStates(): void {
    if (this.initialized) return;
    for (const [k, v] of createPluginStates(this.plan)) this.states.set(k, v);
    this.initialized = true;
  }

  private transformsFor(site: string): readonly PlanEntry<ForwardTransform>[] {
    let list = this.siteTransforms.get(site);
    if (!list) {
      list = this.plan.forward.filter((f) => f.instance.sites.some((p) => siteMatches(p, site)));
      this.siteTransforms.set(site, list);
    }
    return list;
  }

  private forwardContext(training: boolean, step: number, phaseIndex: number): ForwardContext {
    const phase = this.plan.training.phases[phaseIndex];
    const ctx: ForwardContext = {
      training,
      step,
      phase: phase.name,
      phaseOptions: phase.modelOptions ?? {},
      site: (name: string, x: tf.Tensor) => {
        let out = x;
        for (const f of this.transformsFor(name)) out = f.instance.apply(out, name, this.states.get(f.name), ctx);
        return out;
      },
    };
    return ctx;
  }

  /** Evaluates one split; returns accuracy / error / mean loss. */
  evaluate(split: DataSplit, phaseIndex: number, step: number): { accuracy: number; error: number; loss: number; count: number } {
    const bs = this.options.evalBatchSize ?? 1000;
    const ctx = this.forwardContext(false, step, phaseIndex);
    let correct = 0;
    let count = 0;
    let lossSum = 0;
    const rng = new Rng(0);
    for (let start = 0; start < split.size; start += bs) {
      const n = Math.min(bs, split.size - start);
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) indices[i] = start + i;
      const sums = tf.tidy(() => {
        const r = this.plan.model.instance.evaluate(split.batch(indices, { training: false, rng }), ctx);
        return tf.stack([tf.cast(r.correct, 'float32'), tf.cast(r.count, 'float32'), tf.cast(r.lossSum, 'float32')]);
      });
      const [c, k, l] = sums.dataSync();
      sums.dispose();
      correct += c;
      count += k;
      lossSum += l;
    }
    const accuracy = count > 0 ? correct / count : NaN;
    return { accuracy, error: 1 - accuracy, loss: count > 0 ? lossSum / count : NaN, count };
  }

  private checkpoint(position: CheckpointPosition, extra: Record<string, unknown>): void {
    if (!this.options.checkpointDir) return;
    saveCheckpoint(this.options.checkpointDir, { version: 1, position, params: this.plan.model.instance.params, states: this.states, extra });
  }

  async run(): Promise<TrainResult> {
    const plan = this.plan;
    const training = plan.training;
    const dataset = plan.dataset.instance;
    const train = dataset.splits.train;
    const params = plan.model.instance.params;
    this.initStates();

    let position: CheckpointPosition = { step: 0, phaseIndex: 0, epochInPhase: 0, batchInEpoch: 0, epoch: 0 };
    let final: Record<string, number> = {};
    if (this.options.resume) {
      if (!this.options.checkpointDir || !hasCheckpoint(this.options.checkpointDir)) {
        throw new AnnealError('ANNEAL_ERR_RESUME', `run ${this.options.runId} has no checkpoint to resume from (${this.options.checkpointDir ?? 'no run directory'}).`);
      }
      const restored = restoreCheckpoint(this.options.checkpointDir, params, this.states);
      position = restored.position;
      final = { ...((restored.extra.final as Record<string, number>) ?? {}) };
    }

    this.events.emit('run:start', {
      runId: this.options.runId,
      recipe: plan.recipe.name,
      seed: plan.seed,
      backend: plan.backend,
      resumedFromStep: position.step,
      params: this.options.params ?? {},
      planText: formatPlan(plan),
    });

    let step = position.step;
    let epoch = position.epoch;
    let diverged = false;
    let lastYield = performance.now();
    const stopAt = this.options.stopAfterSteps;
    const recordGradNorms = training.recordGradNorms;
    const interrupted = (): 'KILLED' | 'STOPPED' | undefined =>
      this.options.signal?.aborted ? 'KILLED' : stopAt !== undefined && step >= stopAt ? 'STOPPED' : undefined;

    outer: for (let phaseIndex = position.phaseIndex; phaseIndex < training.phases.length; phaseIndex++) {
      const phase = training.phases[phaseIndex];
      const firstEpoch = phaseIndex === position.phaseIndex ? position.epochInPhase : 0;
      for (let epochInPhase = firstEpoch; epochInPhase < phase.epochs; epochInPhase++) {
        if (training.maxSteps !== undefined && step >= training.maxSteps) break outer;
        const learningRate = learningRateFor(phase, epochInPhase);
        const { order, batches } = epochBatchOrder(plan.seed, epoch, train.size, training.batchSize, training.sampling);
        const firstBatch = phaseIndex === position.phaseIndex && epochInPhase === position.epochInPhase ? position.batchInEpoch : 0;
        if (firstBatch === 0) this.events.emit('epoch:start', { epoch, phase: phase.name, step });
        let lossSum = 0;
        let lossCount = 0;
        for (let b = firstBatch; b < batches; b++) {
          const why = interrupted();
          if (why) {
            this.checkpoint({ step, phaseIndex, epochInPhase, batchInEpoch: b, epoch }, { final });
            await this.events.settle();
            return { status: why, steps: step, epochs: epoch, final, diverged, observerFailures: this.events.observerFailures };
          }
          if (training.maxSteps !== undefined && step >= training.maxSteps) break;
          const indices = order.subarray(b * training.batchSize, (b + 1) * training.batchSize);
          const stepCtx: StepContext = { step, epoch, phase: phase.name, learningRate, params, globalNorm: createNormMemo() };
          const stepFctx = this.forwardContext(true, step, phaseIndex);
          const t0 = performance.now();
          const out = runStep(plan, this.states, (c) => train.batch(indices, { training: c.training, rng: batchRng(plan.seed, step) }), stepCtx, stepFctx, {
            recordGradNorms,
            trace: this.options.trace,
          });
          const loss = out.loss.dataSync()[0];
          const normPre = out.gradNormPreClip;
          const normPost = out.gradNormPostClip;
          const metrics: Record<string, number> = {};
          let noiseStd: number | null = null;
          for (const [k, v] of Object.entries(out.metrics)) {
            const value = typeof v === 'number' ? v : v.dataSync()[0];
            metrics[k] = value;
            if (noiseStd === null && k.endsWith(NOISE_STD_SUFFIX)) noiseStd = value;
          }
          const stepTimeMs = performance.now() - t0;
          tf.dispose([out.loss, ...Object.values(out.metrics).filter((v): v is tf.Scalar => typeof v !== 'number')]);
          const record: StepRecord = {
            step,
            epoch,
            phase: phase.name,
            loss,
            learningRate,
            gradNormPreClip: normPre,
            gradNormPostClip: normPost,
            noiseStd,
            stepTimeMs,
            metrics: Object.freeze(metrics),
          };
          step++;
          this.events.emit('step:end', record);
          if (Number.isFinite(loss)) {
            lossSum += loss;
            lossCount++;
          } else {
            diverged = true;
            break outer;
          }
          const now = performance.now();
          if (now - lastYield > 50 || this.events.pending > this.events.maxPending) {
            if (this.events.pending > this.events.maxPending) await this.events.settle();
            await new Promise<void>((r) => setImmediate(r));
            lastYield = performance.now();
          }
        }
        epoch++;
        const meanLoss = lossCount > 0 ? lossSum / lossCount : NaN;
        final['train/epoch_loss'] = meanLoss;
        this.events.emit('epoch:end', { epoch: epoch - 1, phase: phase.name, step, meanLoss });
        const lastEpochOfRun = phaseIndex === training.phases.length - 1 && epochInPhase === phase.epochs - 1;
        if (epoch % training.evalEveryEpochs === 0 && !lastEpochOfRun) this.evaluateAll(phaseIndex, epoch - 1, step, final);
        if (this.options.checkpointDir && epoch % (this.options.checkpointEveryEpochs ?? 1) === 0) {
          const next = epochInPhase + 1 < phase.epochs ? { phaseIndex, epochInPhase: epochInPhase + 1 } : { phaseIndex: phaseIndex + 1, epochInPhase: 0 };
          this.checkpoint({ step, ...next, batchInEpoch: 0, epoch }, { final });
        }
        await this.events.settle();
      }
    }
    this.evaluateAll(training.phases.length - 1, Math.max(0, epoch - 1), step, final);
    if (diverged) final['diverged'] = 1;
    this.events.emit('run:end', { runId: this.options.runId, status: 'FINISHED', steps: step, final: { ...final } });
    await this.events.settle();
    return { status: 'FINISHED', steps: step, epochs: epoch, final, diverged, observerFailures: this.events.observerFailures };
  }

  private evaluateAll(phaseIndex: number, epoch: number, step: number, final: Record<string, number>): void {
    const splits = this.plan.dataset.instance.splits;
    for (const name of this.plan.training.evalSplits) {
      const split = splits[name];
      if (!split) continue;
      const r = this.evaluate(split, phaseIndex, step);
      final[`${name}/accuracy`] = r.accuracy;
      final[`${name}/error`] = r.error;
      final[`${name}/mean_loss`] = r.loss;
      const event: EvalEvent = { epoch, step, split: name, ...r };
      this.events.emit('eval:end', event);
    }
  }

  /** Emits run:failed (used by the runner when run() threw or the process is being killed). */
  async fail(status: 'FAILED' | 'KILLED', error: unknown, steps: number): Promise<void> {
    const e = error as { message?: string; code?: string };
    this.events.emit('run:failed', { runId: this.options.runId, status, steps, error: { message: e?.message ?? String(error), code: e?.code } });
    await this.events.settle();
  }

  /** Frees plugin state (Variables) and event listeners (the model is disposed by its owner). */
  dispose(): void {
    disposePluginStates(this.plan, this.states);
    this.events.removeAll();
  }
}

/** "hidden/*" matches "hidden/3"; exact names match themselves. */
export function siteMatches(pattern: string, site: string): boolean {
  if (!pattern.includes('*')) return pattern === site;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(site);
}
