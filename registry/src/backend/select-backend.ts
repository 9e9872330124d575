import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AnnealError, recordTensorflowComputeThreads, recordTensorflowPackageDir, replaceTensorflowGather } from '@anneal/core';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

interface Candidate {
  readonly choice: Exclude<BackendChoice, 'auto'>;
  /** tfjs backend name registered by the module. */
  readonly backendName: string;
  readonly module: string;
}

const CANDIDATES: readonly Candidate[] = [
  { choice: 'tensorflow-gpu', backendName: 'tensorflow', module: '@tensorflow/tfjs-node-gpu' },
  { choice: 'tensorflow', backendName: 'tensorflow', module: '@tensorflow/tfjs-node' },
  { choice: 'wasm', backendName: 'wasm', module: '@tensorflow/tfjs-backend-wasm' },
  { choice: 'cpu', backendName: 'cpu', module: '@tensorflow/tfjs-backend-cpu' },
];

export interface SelectedBackend {
  /** What was asked for. */
  readonly requested: BackendChoice;
  /** The anneal name of the backend in use (recorded with the run). */
  readonly name: Exclude<BackendChoice, 'auto'>;
  /** tfjs's own backend name. */
  readonly tfjsBackend: string;
  /** Why earlier candidates were skipped (auto). */
  readonly skipped: readonly string[];
  /** On tensorflow: the threads of its pools (fixed when it loaded, maybe by an earlier call). */
  readonly tensorflowThreads?: number;
}

/** The thread count TensorFlow's pools got when it loaded in this process (undefined: not loaded by selectBackend). */
let loadedTensorflowThreads: number | undefined;

/** The TF_NUM_* variables selectBackend itself put into process.env (not the user's own settings). */
const ownThreadVariables = new Set<string>();

/**
 * `env` without the TF_NUM_* thread variables selectBackend set in this process, for child processes: a worker
 * then takes its own trials' training.tensorflowThreads (ANNEAL_TF_THREADS and the user's own TF_NUM_* stay).
 */
export function childProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const k of ownThreadVariables) if (copy[k] === process.env[k]) delete copy[k];
  return copy;
}

/** The intra-op thread count of the TensorFlow loaded in this process, when selectBackend loaded it. */
export function tensorflowThreadsInUse(): number | undefined {
  return loadedTensorflowThreads;
}

const wholeThreads = (value: string, name: string): number => {
  if (!/^[1-9][0-9]*$/.test(value)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${name} '${value}' is not allowed; give a whole number of threads ≥ 1 (e.g. ${name}=2).`);
  return Number(value);
};

/**
 * TensorFlow's thread pools, set before its library loads: ANNEAL_TF_THREADS for both the intra- and inter-op pools
 * unless TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS are set; else the recipe's `training.tensorflowThreads`
 * (`requested`); else 1. One thread measured faster here for small-op steps on 2 cores (MLP 10–11 vs 15–17 ms),
 * two for the PTB LM's graph step (README "Backends").
 */
function setTensorflowThreads(env: NodeJS.ProcessEnv, requested: number | undefined): { threads: number | undefined; undo: () => void } {
  const threads = env.ANNEAL_TF_THREADS !== undefined ? wholeThreads(env.ANNEAL_TF_THREADS, 'ANNEAL_TF_THREADS') : requested ?? 1;
  const set = (['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS'] as const).filter((k) => env[k] === undefined);
  for (const k of set) {
    env[k] = String(threads);
    if (env === process.env) ownThreadVariables.add(k);
  }
  const intra = Number(env.TF_NUM_INTRAOP_THREADS); // TensorFlow's own value (0: as many as it likes) is passed on as given
  return { threads: Number.isInteger(intra) && intra > 0 ? intra : undefined, undo: () => set.forEach((k) => (delete env[k], ownThreadVariables.delete(k))) };
}

/** How the backend is started: `tensorflowThreads` is a recipe's request (an environment setting wins). */
export interface BackendStartOptions {
  readonly tensorflowThreads?: number;
}

async function tryCandidate(c: Candidate, start: BackendStartOptions): Promise<string | undefined> {
  // Once TensorFlow has loaded, its pools are fixed: a later request cannot change them (the run records what it got).
  const pools = c.backendName === 'tensorflow' && loadedTensorflowThreads === undefined ? setTensorflowThreads(process.env, start.tensorflowThreads) : undefined;
  try {
    await import(c.module);
    if (pools) {
      loadedTensorflowThreads = pools.threads;
      recordTensorflowComputeThreads(pools.threads);
    }
  } catch (error) {
    pools?.undo();
    return `${c.module} not usable (${(error as Error).message.split('\n')[0]})`;
  }
  try {
    const ok = await tf.setBackend(c.backendName);
    if (!ok) return `${c.module}: backend '${c.backendName}' failed to initialise`;
    await tf.ready();
    if (c.backendName === 'tensorflow') {
      replaceTensorflowGather(); // tf.gather without tfjs-node's host read of the indices
      recordTensorflowPackageDir(path.dirname(createRequire(import.meta.url).resolve(`${c.module}/package.json`))); // where anneal's op libraries are
    }
    return undefined;
  } catch (error) {
    return `${c.module}: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Picks the tfjs backend at start. `auto` prefers tfjs-node-gpu, tfjs-node, wasm, then cpu
 * (the native ones are optional dependencies that cannot install offline).
 */
export async function selectBackend(requested: string = 'auto', start: BackendStartOptions = {}): Promise<SelectedBackend> {
  // PROD: no debug-mode checks and no 'install tfjs-node' banner on the cpu backend.
  tf.env().set('PROD', true);
  // TensorFlow's C library logs oneDNN/CPU-feature info lines on stderr at load; keep warnings and errors.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--backend '${requested}' is not a backend; use one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  const choice = requested as BackendChoice;
  const list = choice === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.choice === choice);
  const skipped: string[] = [];
  for (const c of list) {
    const why = await tryCandidate(c, start);
    if (why === undefined) return { requested: choice, name: c.choice, tfjsBackend: c.backendName, skipped, ...(c.backendName === 'tensorflow' && loadedTensorflowThreads !== undefined ? { tensorflowThreads: loadedTensorflowThreads } : {}) };
    skipped.push(why);
  }
  throw new AnnealError(
    'ANNEAL_ERR_BACKEND',
    `backend '${choice}' is not available: ${skipped.join('; ')}. ${choice === 'tensorflow' || choice === 'tensorflow-gpu' ? `Build it from registry packages with 'anneal backend install ${choice}' (or, with internet, npm install ${choice === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu'}), or use --backend wasm.` : 'Reinstall dependencies with npm ci.'}`,
  );
}

/**
 * Makes `backend` (an anneal name, as recorded with a run) the active tfjs backend when another one is active,
 * so a run recorded as 'wasm' really runs on wasm (a program that launches runs without calling selectBackend).
 */
export async function ensureBackend(backend: string, start: BackendStartOptions = {}): Promise<void> {
  const want = CANDIDATES.find((c) => c.choice === backend)?.backendName;
  if (want !== undefined && tf.getBackend() !== want) await selectBackend(backend as BackendChoice, start);
}
