import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadTensorflowOpLibrary, opSourceSha256, type GradMap, type Rng } from '@anneal/core';
import { noiseRng, type FusedNoiseKernel } from '../noise-ops.js';
import { chunkGroupsFor } from './chunked-fill.js';
import { writeChunkStates } from './chunk-states.js';
import { KN, LANES, WN32, seedLanes } from './lane-normal-stream.js';
import * as tables from './ziggurat-tables.js';

/**
 * The tensorflow backend's fused noise kernel: `AnnealLaneNoiseAdd` (native/lane_noise_add.cc), which draws ε from
 * the 4-lane ziggurat stream and adds it to every gradient in one TensorFlow op (on the calling thread and one of
 * TensorFlow's, or ahead of time on the library's own thread: `prefetch`). The values are the stream's, bit for bit,
 * as the JS reference and the SIMD sampler give them (tests/src/conformance/fused-noise-check.ts, which the
 * conformance suite runs for each of the op's kernels).
 *
 * JS does the little that is sequential in the seeds: the 20 master draws, the chunk states (jumps) and σ. The op
 * takes them as one int32 input, so a captured graph takes them as a host input and draws inside the graph.
 * Compared with drawing on the host, it saves the upload of ε (18.6 MB a step for PTB), the split and one add per
 * tensor, and it draws with AVX2 gathers when the CPU has them.
 */
export const LANE_NOISE_LIBRARY = 'lane_noise_add';
const OP = 'AnnealLaneNoiseAdd';
const SOURCE = fileURLToPath(new URL('../../../native/lane_noise_add.cc', import.meta.url));

interface NodeBackend {
  readonly binding: { readonly TF_ATTR_INT: number };
  executeMultipleOutputs(name: string, attrs: { name: string; type: number; value: number }[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
}

/** The source's SHA-256 (the .cc and its headers): the library's manifest must carry the same one (a build of an older source is not loaded). */
export function laneNoiseSourceSha256(): string {
  return opSourceSha256(SOURCE);
}

/** The op's `seeds` input for a draw of n values: chunk states, slow-path state, σ as a float64's two words. */
export function laneNoiseSeeds(rng: Rng, n: number, std: number): { seeds: Int32Array; chunkGroups: number } {
  const groups = Math.ceil(n / LANES);
  const chunkGroups = chunkGroupsFor(groups);
  const chunks = Math.max(1, Math.ceil(groups / chunkGroups));
  const seeds = new Int32Array(16 * chunks + 6);
  const lanes = new Int32Array(16);
  const slow = new Int32Array(4);
  seedLanes(rng, lanes, slow);
  writeChunkStates(lanes, chunks, chunkGroups, seeds, 0);
  seeds.set(slow, 16 * chunks);
  seeds.set(new Int32Array(Float64Array.of(std).buffer), 16 * chunks + 4);
  return { seeds, chunkGroups };
}

/** The chunk size laneNoiseSeeds uses for n values: the op's `chunk_groups` attribute. */
function chunkGroupsOf(n: number): number {
  return chunkGroupsFor(Math.ceil(n / LANES));
}

interface LaneNoiseLibrary {
  prefetch(seeds: Int32Array, n: number, chunkGroups: number): boolean;
  prefetchesUsed(): number;
  prefetchesMissed(): number;
  prefetchesReady(): number;
  kernel(): string;
}

export class TensorflowLaneNoise implements FusedNoiseKernel {
  /** The seeds of the last prefetch, so the call they were made for does not compute them again. */
  private prefetched: { n: number; key: number; std: number; seeds: Int32Array } | undefined;

  /** `file`: the loaded library; `kernel`: the rectangle-test kernel it picked ('avx512', 'avx2', 'avx2-loads' or 'plain'). */
  constructor(
    readonly file: string,
    readonly kernel: string,
    private readonly library: LaneNoiseLibrary,
  ) {}

  seeds(n: number, source: Rng | number, std: number): Int32Array {
    const p = this.prefetched;
    if (p && typeof source === 'number' && p.n === n && p.key === source && p.std === std) {
      this.prefetched = undefined;
      return p.seeds; // a key stands for a fresh Rng(key): the same seeds
    }
    return laneNoiseSeeds(noiseRng(source), n, std).seeds;
  }

  /** Hands the draw (n, key, std) to the library's own thread, which draws ε while the step computes. */
  prefetch(n: number, key: number, std: number): void {
    if (n === 0) return;
    const { seeds, chunkGroups } = laneNoiseSeeds(noiseRng(key), n, std);
    if (this.library.prefetch(seeds, n, chunkGroups)) this.prefetched = { n, key, std, seeds };
  }

  /** How many op calls have used a prefetched draw (tests, benchmark). */
  get prefetchesUsed(): number {
    return this.library.prefetchesUsed();
  }

  /** How many op calls found their draw prefetched but not started, or late, and drew it themselves. */
  get prefetchesMissed(): number {
    return this.library.prefetchesMissed();
  }

  /** How many prefetched draws are done and not yet taken (a test waits on it before calling the op). */
  get prefetchesReady(): number {
    return this.library.prefetchesReady();
  }

  /**
   * { name: t + ε } for the draw `seeds` stands for (laneNoiseSeeds of the total size), or { name: t · scale + ε },
   * rounded as tf.mul then tf.add, when a scalar `scale` is given. A pure tensor function.
   */
  add(tensors: GradMap, seeds: Int32Array | tf.Tensor, scale?: tf.Scalar): Record<string, tf.Tensor> {
    const entries = Object.entries(tensors);
    if (entries.length === 0) return {};
    const n = entries.reduce((sum, [, t]) => sum + t.size, 0);
    const backend = tf.backend() as unknown as NodeBackend;
    return tf.tidy(() => {
      const seedTensor = seeds instanceof Int32Array ? tf.tensor1d(seeds, 'int32') : seeds;
      const attrs = [
        { name: 'N', type: backend.binding.TF_ATTR_INT, value: entries.length },
        { name: 'chunk_groups', type: backend.binding.TF_ATTR_INT, value: chunkGroupsOf(n) },
      ];
      const noisy = backend.executeMultipleOutputs(OP, attrs, [...entries.map(([, t]) => t), seedTensor, scale ?? tf.scalar(1)], entries.length);
      return Object.fromEntries(entries.map(([k], i) => [k, noisy[i]]));
    });
  }
}

let kernel: TensorflowLaneNoise | null | undefined;
let loadWhy = ''; // why the library did or did not load (once per process)
let why = 'not tried yet';

/**
 * The fused kernel when it can run: the tensorflow backend is active, its op library was built for this TensorFlow
 * from this source (`anneal backend install tensorflow`), and ANNEAL_NOISE_FUSED is not 0. Else undefined, and
 * `tensorflowLaneNoiseStatus()` says why.
 */
export function tensorflowLaneNoise(): TensorflowLaneNoise | undefined {
  if (process.env.ANNEAL_NOISE_FUSED === '0') {
    why = 'ANNEAL_NOISE_FUSED=0';
    return undefined;
  }
  if (tf.getBackend() !== 'tensorflow') {
    why = `the backend is '${tf.getBackend()}'`;
    return undefined; // checked on every call: a process may switch backends (the conformance suite does)
  }
  if (kernel === undefined) kernel = loadKernel();
  why = loadWhy;
  return kernel ?? undefined;
}

function loadKernel(): TensorflowLaneNoise | null {
  const load = loadTensorflowOpLibrary(LANE_NOISE_LIBRARY, laneNoiseSourceSha256());
  if (!load.ok) {
    loadWhy = load.why;
    return null;
  }
  (load.exports.setZigguratTables as (kn: Int32Array, wn: Float64Array, fn: Float64Array, wn32: Float32Array) => void)(
    Int32Array.from(KN),
    Float64Array.from(tables.WN),
    Float64Array.from(tables.FN),
    Float32Array.from(WN32),
  );
  const library = load.exports as unknown as LaneNoiseLibrary;
  const loaded = new TensorflowLaneNoise(load.file, library.kernel(), library);
  loadWhy = `in use: ${loaded.kernel} kernel, ${load.file}`;
  return loaded;
}

/** Whether the fused kernel is in use, or why not (for the benchmark and `anneal backend`). */
export function tensorflowLaneNoiseStatus(): string {
  tensorflowLaneNoise();
  return why;
}
