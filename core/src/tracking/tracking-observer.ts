import type { Observer, StepRecord } from '../events/train-events.js';
import type { MetricPoint, RunTracker } from './tracker.js';

/** Metric keys written for each StepRecord. */
export function stepRecordToPoints(r: StepRecord, timestamp = Date.now()): MetricPoint[] {
  const points: MetricPoint[] = [
    { key: 'train/loss', value: r.loss, step: r.step, timestamp },
    { key: 'train/lr', value: r.learningRate, step: r.step, timestamp },
    { key: 'time/step_ms', value: r.stepTimeMs, step: r.step, timestamp },
  ];
  if (!Number.isNaN(r.gradNormPreClip)) points.push({ key: 'grad/norm_pre_clip', value: r.gradNormPreClip, step: r.step, timestamp });
  if (!Number.isNaN(r.gradNormPostClip)) points.push({ key: 'grad/norm_post_clip', value: r.gradNormPostClip, step: r.step, timestamp });
  if (r.noiseStd !== null) points.push({ key: 'noise/std', value: r.noiseStd, step: r.step, timestamp });
  for (const [k, v] of Object.entries(r.metrics)) points.push({ key: k, value: v, step: r.step, timestamp });
  return points;
}

/**
 * Writes step, epoch and evaluation metrics to a RunTracker (a logger: runs after other observers).
 * `stepMetricsEvery` thins per-step metrics (1 = every step).
 */
export function createTrackingObserver(tracker: RunTracker, options: { stepMetricsEvery?: number } = {}): Observer {
  const every = Math.max(1, options.stepMetricsEvery ?? 1);
  return {
    name: 'tracking',
    isLogger: true,
    on: {
      'step:end': async (r) => {
        if (r.step % every === 0) await tracker.logMetrics(stepRecordToPoints(r));
      },
      'epoch:end': async (e) => {
        const ts = Date.now();
        const points: MetricPoint[] = [{ key: 'epoch', value: e.epoch + 1, step: e.step, timestamp: ts }];
        if (e.meanLoss !== undefined) points.push({ key: 'train/epoch_loss', value: e.meanLoss, step: e.step, timestamp: ts });
        await tracker.logMetrics(points);
        await tracker.flush();
      },
      'eval:end': async (e) => {
        const ts = Date.now();
        // Keys are `<split>/<metric>` as the model declares them (classifiers: accuracy, error, mean_loss —
        // `mean_loss`, not `loss`: `train/loss` is the per-step training loss).
        await tracker.logMetrics(Object.entries(e.metrics).map(([k, value]) => ({ key: `${e.split}/${k}`, value, step: e.step, timestamp: ts })));
      },
      'run:end': async () => {
        await tracker.flush();
      },
      'run:failed': async () => {
        await tracker.flush();
      },
    },
  };
}
