import { AnnealError, LocalRunStore, resolveAnnealHome } from '@anneal/core';
import * as mlflow from '@anneal/tracker-mlflow';
import { selectBackend } from '../../backend/select-backend.js';
import { formatTensorflowThreads, tensorflowThreadsOf } from '../../backend/tensorflow-threads.js';
import { bootAnneal } from '../../boot.js';
import { resolveRecipeArg } from '../../catalog/resolve-recipe-arg.js';
import { parseSetArg } from '../../recipes/set-override.js';
import type { LaunchOptions } from '../../runner/run-launcher.js';
import { RUN_HELP } from '../help.js';
import { parse, toList } from '../parse.js';
import { absoluteModule } from '../../trials/plugin-modules.js';
import { formatTrialSpecs } from '../../trials/format-trial-specs.js';
import { readStoredTrial } from '../../execute/trial-runner.js';
import type { TrialSpec } from '../../trials/trial-spec.js';

function storedTrial(runRef: string, env: NodeJS.ProcessEnv): TrialSpec {
  const store = new LocalRunStore(resolveAnnealHome(env));
  const runId = store.resolveRunId(runRef);
  return readStoredTrial(store.runDir(runId), runId);
}

type RegisterFn = (args: { env: NodeJS.ProcessEnv; store: unknown; tracker: unknown; runId: string; name: string; alias?: string }) => Promise<unknown>;

/** `anneal run <recipe> …` and `anneal run --resume <run-id>`. */
export async function runCommand(args: readonly string[], io: { signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<number> {
  const { values, positionals } = parse('run', args, {
    quick: { type: 'boolean' },
    seed: { type: 'string', multiple: true },
    variant: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    set: { type: 'string', multiple: true },
    plugin: { type: 'string', multiple: true },
    backend: { type: 'string' },
    resume: { type: 'string' },
    plan: { type: 'boolean' },
    json: { type: 'boolean' },
    'register-model': { type: 'string' },
    alias: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (!values.resume && positionals.length !== 1) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `run: give one recipe name (e.g. anneal run mlp-table1-exp3 --quick), or --resume <run-id>. See 'anneal recipes ls'.`);
  }
  if (values.alias && !values['register-model']) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'run: --alias needs --register-model NAME.');
  const seeds = toList(values.seed).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--seed '${s}' is not allowed; it must be a non-negative integer (e.g. --seed 1).`);
    return n;
  });
  const sets = toList(values.set).map(parseSetArg);
  // A resumed run loads the plugin modules its trial spec names (its --plugin modules and its recipe's load list).
  const resumed = values.resume ? storedTrial(values.resume, io.env) : undefined;
  const resumeModules = resumed?.pluginModules ?? [];
  const booted = await bootAnneal({ pluginModules: [...toList(values.plugin), ...resumeModules], env: io.env });
  // The trials' TensorFlow thread request is read before the backend loads (its pools are fixed then).
  const overrides = { quick: values.quick, seeds: seeds.length ? seeds : undefined, variants: toList(values.variant), sets, extraPlugins: booted.extraPluginNames, pluginModules: toList(values.plugin).map((m) => absoluteModule(m)) };
  const recipe = values.resume ? undefined : await resolveRecipeArg(positionals[0], booted);
  const tensorflowThreads = tensorflowThreadsOf(resumed ? [resumed] : booted.launcher.resolve(recipe!, overrides));
  const backend = await selectBackend(values.backend ?? io.env.ANNEAL_BACKEND ?? 'auto', { tensorflowThreads });
  const threads = backend.tensorflowThreads !== undefined ? ` (${formatTensorflowThreads(backend.tensorflowThreads)})` : '';
  process.stderr.write(`anneal: backend ${backend.name}${threads}${backend.skipped.length ? ` (skipped: ${backend.skipped.map((s) => s.split(' ')[0]).join(', ')})` : ''}; tracking: ${booted.tracker.kind} at ${booted.tracker.location}\n`);
  const registerName = values['register-model'];
  const register = (mlflow as Record<string, unknown>).registerModel as RegisterFn | undefined;
  if (registerName && (!register || booted.tracker.kind === 'local')) {
    throw new AnnealError('ANNEAL_ERR_TRACKING', `--register-model needs an MLflow tracking server: export MLFLOW_TRACKING_URI=http://127.0.0.1:5000 (start one with 'anneal mlflow up').`);
  }
  // After Ctrl-C, do not wait long for MLflow delivery: what is left stays spooled for `anneal mlflow sync`.
  io.signal.addEventListener('abort', () => (booted.tracker as { capEndTimeout?: (ms: number) => void }).capEndTimeout?.(5000), { once: true });
  const options: LaunchOptions = {
    backend: backend.name,
    ...overrides,
    dataDir: io.env.ANNEAL_DATA_DIR,
    signal: io.signal,
    printPlan: values.plan,
    afterTrial: registerName && register ? async (outcome, tracker) => {
      await tracker.flush();
      try {
        const v = (await register({ env: io.env, store: booted.store, tracker: booted.tracker, runId: outcome.runId, name: registerName, alias: values.alias })) as { version: string; url?: string };
        process.stdout.write(`registered model '${registerName}' version ${v.version}${values.alias ? ` (alias '${values.alias}')` : ''} from run ${outcome.runId}${v.url ? `: ${v.url}` : ''}\n`);
      } catch (error) {
        process.stderr.write(`anneal: registering run ${outcome.runId} as model '${registerName}' failed: ${(error as Error).message}\n  retry later with: anneal models register ${outcome.runId} ${registerName}${values.alias ? ` --alias ${values.alias}` : ''}\n`);
      }
    } : undefined,
  };
  try {
    if (values.resume) {
      const runId = booted.store.resolveRunId(values.resume);
      const outcome = await booted.launcher.resume(runId, options, booted.store);
      if (values.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      return outcome.status === 'FINISHED' ? 0 : 130;
    }
    if (values['dry-run']) {
      const trials = booted.launcher.resolve(recipe!, options);
      process.stdout.write(values.json ? `${JSON.stringify(trials, null, 2)}\n` : `${formatTrialSpecs(trials)}\n`);
      return 0;
    }
    const result = await booted.launcher.launch(recipe!, options);
    if (values.json) process.stdout.write(`${JSON.stringify({ recipe: result.recipe.name, parentRunId: result.parentRunId, outcomes: result.outcomes, summary: result.summary && { metric: result.summary.metric, rows: result.summary.rows } }, null, 2)}\n`);
    process.stderr.write(`anneal: runs stored in ${resolveAnnealHome(io.env)}/runs${booted.tracker.kind !== 'local' ? ` and sent to ${booted.tracker.location}` : ''}\n`);
    if (io.signal.aborted) return 130;
    return result.outcomes.some((o) => o.status === 'FAILED') ? 1 : 0;
  } finally {
    await booted.tracker.close();
  }
}
