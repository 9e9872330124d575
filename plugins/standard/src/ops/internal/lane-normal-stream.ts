import type { Rng } from '@anneal/core/random';
import * as tables from './ziggurat-tables.js';
import { zigguratTables } from '@anneal/core/random';
import { nextInt32Of, normalSlowPathWith } from './normal-slow-path.js';

/**
 * The "4-lane ziggurat" normal stream used for gradient and weight noise. It is defined here, once,
 * and implemented twice: by a WebAssembly SIMD kernel (wasm/normal-kernel-module.ts, ~2.5× faster
 * than scalar JS) and by `fillLaneNormalReference` below (the fallback, and `referenceNoiseOps`).
 * Both give bit-identical output. Step 3 below is likewise written twice: `resolveMisses` (the sampler's) and
 * `resolveMissesReference` (the JS reference's), which the sampler tests hold together.
 *
 * One call `sample(rng, n, std)`:
 *  1. draws 20 words from the master `rng` (its state is what checkpoints save): lane k's xoshiro128**
 *     state word j is the (4j + k)-th draw (j, k in 0..3); draws 16..19 seed the slow-path stream. A
 *     state of four zero words (probability 2^-128) gets word 0 set to 1.
 *  2. value i = 4g + k comes from lane k's g-th output hz, iz = hz & 127: if |hz| < KN[iz] (with
 *     |−2^31| = 2^31, rejected) it is f32(f32(f32(hz)·WN32[iz])·f32(std)), the ziggurat's rectangle
 *     sample (as in Marsaglia–Tsang 2000, with the product taken in float32);
 *  3. otherwise (≈2.7% of values, in increasing i, skipping i ≥ n) the standard ziggurat rejection
 *     continues from (hz, iz) with draws from the slow-path stream, and the value is std·z.
 */
export const LANES = 4;
export const MASTER_DRAWS_PER_CALL = 20;

export const KN = new Int32Array(tables.KN);
export const WN32 = Float32Array.from(tables.WN);

/** Reads the lane states (16 words, layout word j lane k at 4j + k) and the slow-path state (4 words). */
export function seedLanes(rng: Rng, laneState: Int32Array, slowState: Int32Array): void {
  for (let i = 0; i < 16; i++) laneState[i] = rng.nextInt32();
  for (let k = 0; k < LANES; k++) {
    if ((laneState[k] | laneState[4 + k] | laneState[8 + k] | laneState[12 + k]) === 0) laneState[k] = 1;
  }
  for (let i = 0; i < 4; i++) slowState[i] = rng.nextInt32();
  if ((slowState[0] | slowState[1] | slowState[2] | slowState[3]) === 0) slowState[0] = 1;
}

/**
 * Step 3: resolves the misses recorded as (index, hz) pairs in `misses[0 .. 2·count)` (increasing
 * index), writing std·z into `out`. This is the reference: one call of core's `zigguratTail` per miss.
 */
export function resolveMissesReference(out: Float32Array, n: number, std: number, misses: Int32Array, count: number, slowState: Int32Array): void {
  for (let j = 0; j < count; j++) {
    const index = misses[2 * j];
    if (index >= n) break;
    const hz = misses[2 * j + 1];
    out[index] = std * normalSlowPathWith(slowState, hz, hz & 127);
  }
}

/**
 * Step 3 as the sampler runs it: the same draws in the same order as `resolveMissesReference`, with one
 * draw closure per call and the wedge test written out (the base strip, iz = 0, still goes through
 * `zigguratTail`). PTB's 4.65 M-value draw has ≈128k misses: 7.3 ms by the reference, 4.3 ms here.
 */
export function resolveMisses(out: Float32Array, n: number, std: number, misses: Int32Array, count: number, slowState: Int32Array): void {
  const next = (): number => nextInt32Of(slowState); // one closure per call, not per miss
  for (let j = 0; j < count; j++) {
    const index = misses[2 * j];
    if (index >= n) break;
    let hz = misses[2 * j + 1];
    let iz = hz & 127;
    let z: number;
    for (;;) {
      if (iz === 0) {
        z = zigguratTables.zigguratTail(hz, 0, next);
        break;
      }
      const x = hz * tables.WN[iz];
      if (tables.FN[iz] + ((next() >>> 0) / 4294967296) * (tables.FN[iz - 1] - tables.FN[iz]) < Math.exp(-0.5 * x * x)) {
        z = x;
        break;
      }
      hz = next();
      iz = hz & 127;
      if (Math.abs(hz) < KN[iz]) {
        z = hz * tables.WN[iz];
        break;
      }
    }
    out[index] = std * z;
  }
}

/** The plain-JS implementation of the stream: fills out[0..n) (out.length ≥ n). */
export function fillLaneNormalReference(rng: Rng, out: Float32Array, n: number, std: number): Float32Array {
  const seeds = new Int32Array(16);
  const slow = new Int32Array(4);
  seedLanes(rng, seeds, slow);
  const lanes = Array.from({ length: LANES }, (_, k) => Int32Array.of(seeds[k], seeds[4 + k], seeds[8 + k], seeds[12 + k]));
  const stdF = Math.fround(std);
  const misses: number[] = [];
  const groups = Math.ceil(n / LANES);
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < LANES; k++) {
      const hz = nextInt32Of(lanes[k]);
      const i = LANES * g + k;
      const iz = hz & 127;
      if (Math.abs(hz) < KN[iz]) {
        if (i < n) out[i] = Math.fround(Math.fround(Math.fround(hz) * WN32[iz]) * stdF);
      } else {
        misses.push(i, hz);
      }
    }
  }
  resolveMissesReference(out, n, std, Int32Array.from(misses), misses.length / 2, slow);
  return out;
}
