/**
 * Entry point of a noise prefetch worker (a worker_threads Worker started by noise-prefetcher.ts).
 *
 * It fills requested ring slots (prefetch-ring.ts) with σ·z blocks of the lane-ziggurat stream from
 * the seeds and σ the main thread wrote into the slot, lowest step first, and sleeps on the ring's
 * SEQ word when there is nothing to do. It never touches tensors, the event loop or the main
 * thread's memory; the values it writes are exactly what the main thread would compute itself.
 */
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { LaneNormalSampler, type LaneSamplerImplementation } from '../random/lane-normal-sampler.js';
import { CONTROL, META, PrefetchRing, SLOT_STATE, type PrefetchRingShape } from './prefetch-ring.js';

export interface PrefetchWorkerData {
  readonly buffer: SharedArrayBuffer;
  readonly shape: PrefetchRingShape;
  readonly sampler: LaneSamplerImplementation;
  /** Nice value for this thread (Linux: per thread), so it yields to the trainer's thread. */
  readonly niceness?: number;
}

const data = workerData as PrefetchWorkerData;
if (data.niceness !== undefined) {
  try {
    // Linux: the nice value is per thread, and pid 0 means this thread.
    setPriority(0, data.niceness);
  } catch {
    // not permitted or not supported: run at normal priority
  }
}
const ring = new PrefetchRing(data.buffer, data.shape);
const sampler = new LaneNormalSampler(data.sampler);
const lanes = new Int32Array(16);
const slow = new Int32Array(4);

for (;;) {
  const seq = Atomics.load(ring.control, CONTROL.SEQ);
  if (Atomics.load(ring.control, CONTROL.STOP) !== 0) break;
  const slot = nextRequested();
  if (slot < 0) {
    Atomics.wait(ring.control, CONTROL.SEQ, seq);
    continue;
  }
  const index = ring.stateIndex(slot);
  if (Atomics.compareExchange(ring.meta, index, SLOT_STATE.REQUESTED, SLOT_STATE.BUSY) !== SLOT_STATE.REQUESTED) continue;
  const n = ring.field(slot, META.LENGTH);
  ring.readSeeds(slot, lanes, slow);
  ring.block(slot, n).set(sampler.sampleSeeded(lanes, slow, n, ring.std[slot]));
  Atomics.store(ring.meta, index, SLOT_STATE.READY);
}

/** The requested slot with the lowest step (the one the main thread needs first), or −1. */
function nextRequested(): number {
  let best = -1;
  let bestStep = Infinity;
  for (let slot = 0; slot < data.shape.slots; slot++) {
    if (ring.state(slot) !== SLOT_STATE.REQUESTED) continue;
    const step = ring.field(slot, META.STEP);
    if (step < bestStep) {
      best = slot;
      bestStep = step;
    }
  }
  return best;
}
