/**
 * The noise prefetch of a sweep's worker processes. A worker draws step t + 1's gradient noise on a thread of its own
 * only when a core is idle (plugins-standard's prefetchHasACore), and it can only count its own threads. Workers
 * that together fill the cores would each take a core from the others' steps, so the sweep turns their prefetch off
 * (ANNEAL_NOISE_PREFETCH=0): the values are the same, drawn on demand. A value the user set is kept.
 *
 * `threadsPerWorker`: the compute threads of one worker (1 on wasm and cpu; TensorFlow's intra-op threads).
 */
export function workerNoisePrefetchEnv(env: NodeJS.ProcessEnv, workers: number, threadsPerWorker: number, cores: number): { ANNEAL_NOISE_PREFETCH?: string } {
  if (env.ANNEAL_NOISE_PREFETCH !== undefined) return {};
  return workers > 1 && workers * threadsPerWorker >= cores ? { ANNEAL_NOISE_PREFETCH: '0' } : {};
}
