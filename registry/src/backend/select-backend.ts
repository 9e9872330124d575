import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, replaceTensorflowGather } from '@anneal/core';

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
}

/**
 * TensorFlow's thread pools, set before its library loads: ANNEAL_TF_THREADS (default 1) for both the intra- and
 * inter-op pools unless TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS are set. One thread measured faster here
 * for every family's step on 2 cores (MLP 10–11 vs 15–17 ms, PTB window 170 vs 195–205 ms; README "Backends").
 */
function setTensorflowThreads(env: NodeJS.ProcessEnv): void {
  const threads = env.ANNEAL_TF_THREADS ?? '1';
  if (!/^[1-9][0-9]*$/.test(threads)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `ANNEAL_TF_THREADS '${threads}' is not allowed; give a whole number of threads ≥ 1 (e.g. ANNEAL_TF_THREADS=2).`);
  env.TF_NUM_INTRAOP_THREADS ??= threads;
  env.TF_NUM_INTEROP_THREADS ??= threads;
}

async function tryCandidate(c: Candidate): Promise<string | undefined> {
  if (c.backendName === 'tensorflow') setTensorflowThreads(process.env);
  try {
    await import(c.module);
  } catch (error) {
    return `${c.module} not usable (${(error as Error).message.split('\n')[0]})`;
  }
  try {
    const ok = await tf.setBackend(c.backendName);
    if (!ok) return `${c.module}: backend '${c.backendName}' failed to initialise`;
    await tf.ready();
    if (c.backendName === 'tensorflow') replaceTensorflowGather(); // tf.gather without tfjs-node's host read of the indices
    return undefined;
  } catch (error) {
    return `${c.module}: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Picks the tfjs backend at start. `auto` prefers tfjs-node-gpu, tfjs-node, wasm, then cpu
 * (the native ones are optional dependencies that cannot install offline).
 */
export async function selectBackend(requested: string = 'auto'): Promise<SelectedBackend> {
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
    const why = await tryCandidate(c);
    if (why === undefined) return { requested: choice, name: c.choice, tfjsBackend: c.backendName, skipped };
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
export async function ensureBackend(backend: string): Promise<void> {
  const want = CANDIDATES.find((c) => c.choice === backend)?.backendName;
  if (want !== undefined && tf.getBackend() !== want) await selectBackend(backend as BackendChoice);
}
