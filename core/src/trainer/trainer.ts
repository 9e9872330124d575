import * as tf from '@tensorflow/tfjs-core';
import { AnnealError } from '../errors/anneal-error.js';
import { EventBus, type ObserverFailure } from '../events/event-bus.js';
import type { EvalEvent, StepRecord } from '../events/train-events.js';
import type { BatchContext, DataSplit } from '../data/dataset.js';
import type { CarriedState } from '../model/model.js';
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
import { GraphStepRunner } from './graph-step.js';
import { SiteTransforms } from './site-matches.js';
export { siteMatches } from './site-matches.js';
import { createPluginStates, disposePluginStates } from './plugin-states.js';
import { disposeCarry, initialCarry } from './carry.js';
import { evaluateSplit, type SplitEvaluation } from './evaluate-split.js';

export interface TrainerOptions {
  readonly runId: string;
  /** Where checkpoints go (the run's directory); no checkpoints when absent. */
  readonly checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir. */
  readonly resume?: boolean;
  /** Save a checkpoint every N epochs (default 1) and when stopped by a signal. */
  readonly checkpointEveryEpochs?: number;
  /** Called right after each checkpoint is written to checkpointDir (e.g. to copy it elsewhere). */
  readonly onCheckpoint?: (position: CheckpointPosition) => void;
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
  /**
   * Awaited before each training step, with its step number, before anything of the step runs. The benchmark uses it
   * to run two trainers in one process in turns of a few steps each (pairedTrainerLoops, tests/src/bench/paired-loops.ts).
   */
  readonly beforeStep?: (step: number) => Promise<void> | void;
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

/**
 * Runs an ExecutionPlan: phases → epochs → steps (runStep), evaluation, events, checkpoints.
 * The step order itself lives in run-step.ts.
 */
export class Trainer {
  readonly events: EventBus;
  private readonly states: PluginStates = new Map();
  private readonly siteTransforms: SiteTransforms;
  private initialized = false;
  /** The model's carried state for the next training batch (kept tensors), when it carries state. */
  private carry: CarriedState | undefined;
  private level: Readonly<Record<string, number>> = EMPTY;
  /** The product of the curricula's learning-rate scales for the current step (1 without any). */
  private learningRateScale = 1;
  /** Latest evaluation results, for curricula and batch contexts. */
  private evaluation: Readonly<Record<string, number>> = Object.freeze({});

  constructor(
    readonly plan: ExecutionPlan,
    private readonly options: TrainerOptions,
  ) {
    this.events = new EventBus(options.onObserverFailure);
    this.events.attach(plan.observers.map((o) => o.instance));
    this.siteTransforms = new SiteTransforms(plan.forward);
  }

  /** Creates every plugin's state with its own seed stream (idempotent). */
  private initStates(): void {
    if (this.initialized) return;
    for (const [k, v] of createPluginStates(this.plan)) this.states.set(k, v);
    this.initialized = true;
  }


  private forwardContext(training: boolean, step: number, phaseIndex: number, curriculum: Readonly<Record<string, number>> = {}, carry?: CarriedState): ForwardContext {
    const phase = this.plan.training.phases[phaseIndex];
    const ctx: ForwardContext = {
      training,
      step,
      phase: phase.name,
      phaseOptions: phase.modelOptions ?? {},
      curriculum,
      carry,
      site: (name: string, x: tf.Tensor) => {
        let out = x;
        for (const f of this.siteTransforms.at(name)) out = f.instance.apply(out, name, this.states.get(f.name), ctx);
        return out;
      },
    };
    return ctx;
  }

  /** Evaluates one split: every metric the model declares, combined over the split. */
  evaluate(split: DataSplit, phaseIndex: number, step: number, epoch = 0, curriculum: Readonly<Record<string, number>> = {}): SplitEvaluation {
    const batchCtx: BatchContext = { training: false, rng: new Rng(0), step, epoch, evaluation: this.evaluation, curriculum };
    return evaluateSplit(this.plan.model.instance, split, this.options.evalBatchSize ?? 1000, (carry) => this.forwardContext(false, step, phaseIndex, curriculum, carry), batchCtx);
  }

  private checkpoint(position: CheckpointPosition, extra: Record<string, unknown>): void {
    if (!this.options.checkpointDir) return;
    saveCheckpoint(this.options.checkpointDir, { version: 1, position, params: this.plan.model.instance.params, states: this.states, carry: this.carry, extra });
    this.options.onCheckpoint?.(position);
  }

  async run(): Promise<TrainResult> {
    // training.graphStep 'on': the step runs as one captured TensorFlow graph (graph-step.ts); its graphs are freed at the end.
    this.graphStep = this.plan.training.graphStep === 'on' ? new GraphStepRunner(this.plan) : undefined;
    try {
      return await this.runLoop();
    } finally {
      this.graphStep?.dispose();
      this.graphStep = undefined;
    }
  }

  private graphStep: GraphStepRunner | undefined;

  private async runLoop(): Promise<TrainResult> {
    const plan = this.plan;
    const training = plan.training;
    const dataset = plan.dataset.instance;
    const train = dataset.splits.train;
    const params = plan.model.instance.params;
    this.initStates();

    let position: CheckpointPosition = { step: 0, phaseIndex: 0, epochInPhase: 0, batchInEpoch: 0, epoch: 0 };
    let final: Record<string, number> = {};
    let resumedLastLoss: number | undefined;
    if (this.options.resume) {
      if (!this.options.checkpointDir || !hasCheckpoint(this.options.checkpointDir)) {
        throw new AnnealError('ANNEAL_ERR_RESUME', `run ${this.options.runId} has no checkpoint to resume from (${this.options.checkpointDir ?? 'no run directory'}).`);
      }
      const restored = restoreCheckpoint(this.options.checkpointDir, params, this.states);
      position = restored.position;
      final = { ...((restored.extra.final as Record<string, number>) ?? {}) };
      this.evaluation = Object.freeze({ ...((restored.extra.evaluation as Record<string, number>) ?? {}) });
      this.carry = restored.carry;
      resumedLastLoss = typeof restored.extra.lastLoss === 'number' ? restored.extra.lastLoss : undefined;
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
    let lastLoss = resumedLastLoss ?? NaN;
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
        if (firstBatch === 0) {
          this.events.emit('epoch:start', { epoch, phase: phase.name, step });
          // Carried state (truncated BPTT) restarts with every epoch; a resumed epoch keeps its checkpointed state.
          disposeCarry(this.carry);
          this.carry = initialCarry(plan.model.instance);
        }
        let lossSum = 0;
        let lossCount = 0;
        for (let b = firstBatch; b < batches; b++) {
          const why = interrupted();
          if (why) {
            this.checkpoint({ step, phaseIndex, epochInPhase, batchInEpoch: b, epoch }, { final, evaluation: this.evaluation, lastLoss });
            await this.events.settle();
            return { status: why, steps: step, epochs: epoch, final, diverged, observerFailures: this.events.observerFailures };
          }
          if (training.maxSteps !== undefined && step >= training.maxSteps) break;
          if (this.options.beforeStep) await this.options.beforeStep(step);
          const indices = order.subarray(b * training.batchSize, (b + 1) * training.batchSize);
          const t0 = performance.now();
          const curriculum = this.nextCurriculum(step, epoch, lastLoss);
          const rate = learningRate * this.learningRateScale;
          const stepCtx: StepContext = { step, epoch, phase: phase.name, learningRate: rate, params, curriculum, globalNorm: createNormMemo() };
          const stepFctx = this.forwardContext(true, step, phaseIndex, curriculum, this.carry);
          const batchCtx: BatchContext = { training: true, rng: batchRng(plan.seed, step), step, epoch, evaluation: this.evaluation, curriculum };
          const out = this.graphStep
            ? this.graphStep.run(this.states, () => train.batch(indices, batchCtx), stepCtx, stepFctx, recordGradNorms)
            : runStep(plan, this.states, () => train.batch(indices, batchCtx), stepCtx, stepFctx, {
                recordGradNorms,
                trace: this.options.trace,
              });
          if (out.carry) {
            disposeCarry(this.carry);
            this.carry = out.carry;
          }
          const loss = out.loss.dataSync()[0];
          lastLoss = loss;
          const normPre = out.gradNormPreClip;
          const normPost = out.gradNormPostClip;
          const metrics: Record<string, number> = {};
          for (const [k, v] of Object.entries(out.metrics)) metrics[k] = readNumber(v);
          for (const [k, v] of Object.entries(curriculum)) metrics[`curriculum/${k}`] = v;
          const noiseStd = out.facts.noiseStd === undefined ? null : readNumber(out.facts.noiseStd);
          const stepTimeMs = performance.now() - t0;
          tf.dispose([out.loss, ...[...Object.values(out.metrics), ...Object.values(out.facts)].filter((v): v is tf.Scalar => typeof v !== 'number')]);
          const record: StepRecord = {
            step,
            epoch,
            phase: phase.name,
            loss,
            learningRate: rate,
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
        if (epoch % training.evalEveryEpochs === 0 && !lastEpochOfRun) this.evaluateAll(phaseIndex, epoch - 1, step, final, false);
        if (this.options.checkpointDir && epoch % (this.options.checkpointEveryEpochs ?? 1) === 0) {
          const next = epochInPhase + 1 < phase.epochs ? { phaseIndex, epochInPhase: epochInPhase + 1 } : { phaseIndex: phaseIndex + 1, epochInPhase: 0 };
          this.checkpoint({ step, ...next, batchInEpoch: 0, epoch }, { final, evaluation: this.evaluation, lastLoss });
        }
        await this.events.settle();
      }
    }
    this.finishParamTransforms(step, Math.max(0, epoch - 1));
    this.evaluateAll(training.phases.length - 1, Math.max(0, epoch - 1), step, final, true);
    if (diverged) final['diverged'] = 1;
    this.events.emit('run:end', { runId: this.options.runId, status: 'FINISHED', steps: step, final: { ...final } });
    await this.events.settle();
    return { status: 'FINISHED', steps: step, epochs: epoch, final, diverged, observerFailures: this.events.observerFailures };
  }

  /** Lets post-update transforms that have `finish` act once after the last step (before the final evaluation). */
  private finishParamTransforms(step: number, epoch: number): void {
    const entries = this.plan.stages['post-update'].filter((e) => e.instance.finish);
    if (entries.length === 0) return;
    const phase = this.plan.training.phases[this.plan.training.phases.length - 1];
    const params = this.plan.model.instance.params;
    const ctx: StepContext = { step, epoch, phase: phase.name, learningRate: phase.learningRate * this.learningRateScale, params, curriculum: this.currentCurriculum() };
    tf.tidy(() => {
      for (const e of entries) this.states.set(e.name, e.instance.finish!(params, this.states.get(e.name), ctx).state);
    });
  }

  /** Evaluates the periodic splits (evalSplits without evalOnlyAtEnd), or at the end every split of both lists. */
  private evaluateAll(phaseIndex: number, epoch: number, step: number, final: Record<string, number>, atEnd: boolean): void {
    const splits = this.plan.dataset.instance.splits;
    const curriculum = this.currentCurriculum();
    const evaluation: Record<string, number> = { ...this.evaluation };
    const onlyAtEnd = this.plan.training.evalOnlyAtEnd ?? [];
    const names = atEnd ? [...new Set([...this.plan.training.evalSplits, ...onlyAtEnd])] : this.plan.training.evalSplits.filter((s) => !onlyAtEnd.includes(s));
    for (const name of names) {
      const split = splits[name];
      if (!split) continue;
      const r = this.evaluate(split, phaseIndex, step, epoch, curriculum);
      for (const [k, v] of Object.entries(r.metrics)) final[`${name}/${k}`] = evaluation[`${name}/${k}`] = v;
      const event: EvalEvent = { epoch, step, split: name, metrics: Object.freeze({ ...r.metrics }), count: r.count };
      this.events.emit('eval:end', event);
    }
    this.evaluation = Object.freeze(evaluation);
  }

  /** Asks every curriculum for this step's level (their states advance; levels merge in plan order). */
  private nextCurriculum(step: number, epoch: number, lastLoss: number): Readonly<Record<string, number>> {
    if (this.plan.curricula.length === 0) return EMPTY;
    const level: Record<string, number> = {};
    let scale = 1;
    for (const c of this.plan.curricula) {
      const out = c.instance.next(this.states.get(c.name), { step, epoch, evaluation: this.evaluation, lastLoss });
      this.states.set(c.name, out.state);
      Object.assign(level, out.level);
      if (out.learningRateScale !== undefined) scale *= out.learningRateScale;
    }
    this.learningRateScale = scale;
    this.level = Object.freeze(level);
    return this.level;
  }

  /** The level of the last training step (evaluation passes use it). */
  private currentCurriculum(): Readonly<Record<string, number>> {
    return this.level;
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
    disposeCarry(this.carry);
    this.carry = undefined;
    this.events.removeAll();
  }
}

const EMPTY: Readonly<Record<string, number>> = Object.freeze({});

function readNumber(v: number | tf.Scalar): number {
  return typeof v === 'number' ? v : v.dataSync()[0];
}
