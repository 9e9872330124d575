/** Lifecycle events (eventemitter3 names). Observers see plain numbers, never tensors. */

/** One record per optimisation step, computed by the trainer at stage boundaries. */
export interface StepRecord {
  readonly step: number;
  readonly epoch: number;
  readonly phase: string;
  readonly loss: number;
  readonly learningRate: number;
  /** Global L2 norm of the gradient entering the clip stage (after pre-clip transforms). */
  readonly gradNormPreClip: number;
  /** Global L2 norm after the clip stage (equal to pre-clip when no clip plugin runs). */
  readonly gradNormPostClip: number;
  /** Std of the injected noise this step (null when no noise plugin runs). */
  readonly noiseStd: number | null;
  readonly stepTimeMs: number;
  /** Extra numbers reported by plugins, keyed "plugin/<name>/<key>", and the curriculum's "curriculum/<key>". */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface RunStartEvent {
  readonly runId: string;
  readonly recipe: string;
  readonly seed: number;
  readonly backend: string;
  readonly resumedFromStep: number;
  readonly params: Readonly<Record<string, string>>;
  readonly planText: string;
}
export interface EpochEvent {
  readonly epoch: number;
  readonly phase: string;
  readonly step: number;
  /** On epoch:end: mean training loss over the epoch's steps. */
  readonly meanLoss?: number;
}
export interface EvalEvent {
  readonly epoch: number;
  readonly step: number;
  readonly split: 'train' | 'validation' | 'test';
  /** Every metric the model declares, combined over the split (e.g. { accuracy, error, mean_loss }). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Examples evaluated. */
  readonly count: number;
}
export interface RunEndEvent {
  readonly runId: string;
  readonly status: 'FINISHED';
  readonly steps: number;
  readonly final: Readonly<Record<string, number>>;
}
export interface RunFailedEvent {
  readonly runId: string;
  readonly status: 'FAILED' | 'KILLED';
  readonly steps: number;
  readonly error: { readonly message: string; readonly code?: string };
}

export interface TrainEvents {
  'run:start': RunStartEvent;
  'epoch:start': EpochEvent;
  'step:end': StepRecord;
  'epoch:end': EpochEvent;
  'eval:end': EvalEvent;
  'run:end': RunEndEvent;
  'run:failed': RunFailedEvent;
}
export type TrainEventName = keyof TrainEvents;
export const TRAIN_EVENT_NAMES: readonly TrainEventName[] = ['run:start', 'epoch:start', 'step:end', 'epoch:end', 'eval:end', 'run:end', 'run:failed'];

/** An observer: async handlers for events. It cannot change training state. */
export interface Observer {
  readonly name: string;
  /** Loggers run after every other observer of the same event (they see the final picture). */
  readonly isLogger?: boolean;
  readonly on: { readonly [E in TrainEventName]?: (payload: TrainEvents[E]) => void | Promise<void> };
  /** Called once after run:end / run:failed, after all pending handlers settled. */
  close?(): Promise<void>;
}
