import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, Trainer, createTrackingObserver, type Tracker } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { createTrackerFromEnv } from '@anneal/tracker-mlflow';
import { startMlflowServer } from '@anneal/tracker-mlflow/testing';
import { intervals, median } from './measure.js';
import { mlpBenchRecipe } from './mlp-step-bench.js';

async function trackedSteps(catalog: PluginCatalog, backend: string, tracker: Tracker): Promise<number[]> {
  const run = await tracker.startRun({ runName: 'bench', recipe: 'bench-mlp', seed: 1, backend });
  const plan = await buildPlan(catalog, {
    recipe: mlpBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }]),
    seed: 1,
    runName: 'bench',
    backend,
    runtimeObservers: [createTrackingObserver(run)],
  });
  const trainer = new Trainer(plan, { runId: run.runId });
  const stamps: number[] = [];
  trainer.events.tap((event) => {
    if (event === 'step:end') stamps.push(performance.now());
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  await run.end('FINISHED');
  return intervals(stamps, 10);
}

/**
 * The MLP step with the MLflow tracker (local spool + background delivery to a real server on this
 * host) vs the local store alone, interleaved rounds, medians. Undefined when no mlflow venv exists.
 */
export async function benchTrackerStep(catalog: PluginCatalog, backend: string, rounds = 3): Promise<{ localMs: number; mlflowMs: number } | undefined> {
  let server;
  try {
    server = await startMlflowServer();
  } catch (error) {
    process.stdout.write(`  (skipped: ${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
  const home = mkdtempSync(join(tmpdir(), 'anneal-bench-tracker-'));
  try {
    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const store = new LocalRunStore(join(home, `local-${i}`));
      local.push(...(await trackedSteps(catalog, backend, store)));
      const spool = new LocalRunStore(join(home, `mlflow-${i}`));
      const tracker = createTrackerFromEnv({ env: { MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'anneal-bench' }, store: spool });
      remote.push(...(await trackedSteps(catalog, backend, tracker)));
      await tracker.close();
    }
    return { localMs: median(local), mlflowMs: median(remote) };
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
