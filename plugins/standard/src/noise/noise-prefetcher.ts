import type { Worker } from 'node:worker_threads';
import type { LaneSamplerImplementation } from '../random/lane-normal-sampler.js';
import { CONTROL, META, PrefetchRing, SLOT_STATE } from './prefetch-ring.js';
import type { PrefetchWorkerData } from './noise-prefetch-worker.js';

/** What the main thread writes into a slot when it asks for a block. */
export interface BlockRequest {
  readonly std: number;
  /** 16 lane seeds then 4 slow-path seeds (see lane-normal-stream.ts `seedLanes`). */
  readonly seeds: Int32Array;
}

const live = new Set<Worker>();

/** Prefetch workers of this process that have not exited yet (for leak checks). */
export function liveNoiseWorkers(): number {
  return live.size;
}

type WorkerThreads = typeof import('node:worker_threads');

/** node:worker_threads when this runtime has it (Node ≥ 20.16: process.getBuiltinModule), else undefined. */
function workerThreads(): WorkerThreads | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return undefined;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  } catch {
    return undefined;
  }
}

const WORKER_URL = new URL('./noise-prefetch-worker.js', import.meta.url);

/**
 * The worker's default nice value (Linux nice values are per thread; with autogroup scheduling they
 * weigh threads within this process's group). Measured on the loaded 2-core machine, main thread doing
 * 6.5 ms of work then taking the MLP's block (88k values), mean cost of that take:
 *   no worker 0.34–0.41 ms;  nice 0: 0.21–0.31 ms (hits ≈95%, but the woken worker often lands on the
 *   trainer's core and preempts it: p90 1.26 ms);  nice 5: 0.07–0.16 ms;  nice 10: 0.05–0.10 ms (hits
 *   ≈90%);  nice 19: 0.13–0.28 ms (the worker starves: 23–71% hits).
 */
const WORKER_NICENESS = 10;

/** The worker's nice value: ANNEAL_NOISE_WORKER_NICE (an integer in −20…19; raising priority needs privileges) when set, else 10. */
function workerNiceness(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ANNEAL_NOISE_WORKER_NICE;
  const n = env === undefined || env.trim() === '' ? Number.NaN : Number(env);
  return Number.isInteger(n) && n >= -20 && n <= 19 ? n : WORKER_NICENESS;
}

/**
 * The main-thread side of one noise prefetch worker: a ring of `slots` blocks of up to `capacity`
 * floats (prefetch-ring.ts). Blocks are identified by (generation, step, length); the caller bumps the
 * generation whenever what a step's block means changes (another seed), so stale blocks never match.
 *
 * The worker is unref'd (it never keeps the process alive), sleeps on a futex when idle, and exits on
 * `dispose()`. If it fails, every `take` misses and the caller computes blocks itself.
 */
export class NoisePrefetcher {
  private readonly ring: PrefetchRing;
  private readonly worker: Worker;
  private held = -1;
  private failed = false;
  private disposed = false;

  private constructor(threads: WorkerThreads, readonly slots: number, readonly capacity: number, sampler: LaneSamplerImplementation) {
    const shape = { slots, capacity };
    this.ring = new PrefetchRing(new SharedArrayBuffer(PrefetchRing.byteLength(shape)), shape);
    const workerData: PrefetchWorkerData = { buffer: this.ring.buffer, shape, sampler, niceness: workerNiceness() };
    this.worker = new threads.Worker(WORKER_URL, { workerData });
    this.worker.unref();
    live.add(this.worker);
    this.worker.once('exit', () => {
      live.delete(this.worker);
      this.failed = true;
    });
    this.worker.on('error', () => {
      this.failed = true;
    });
  }

  /** A prefetcher with a running worker, or null when this runtime has no worker_threads/SharedArrayBuffer. */
  static start(slots: number, capacity: number, sampler: LaneSamplerImplementation): NoisePrefetcher | null {
    const threads = workerThreads();
    if (!threads) return null;
    try {
      return new NoisePrefetcher(threads, slots, capacity, sampler);
    } catch {
      return null;
    }
  }

  /** Whether the worker is still usable. */
  get alive(): boolean {
    return !this.failed && !this.disposed;
  }

  /**
   * The ready block of (generation, step, n), held (not reused) until `release()`; null when it is not
   * ready. A block still waiting for the worker is cancelled (the caller computes it instead).
   */
  take(generation: number, step: number, n: number): Float32Array | null {
    this.release();
    const slot = this.find(generation, step, n);
    if (slot < 0) return null;
    const state = this.ring.state(slot);
    if (state === SLOT_STATE.READY) {
      Atomics.store(this.ring.meta, this.ring.stateIndex(slot), SLOT_STATE.HELD);
      this.held = slot;
      return this.ring.block(slot, n);
    }
    if (state === SLOT_STATE.REQUESTED) Atomics.compareExchange(this.ring.meta, this.ring.stateIndex(slot), SLOT_STATE.REQUESTED, SLOT_STATE.FREE);
    return null;
  }

  /** Frees the block returned by the last `take`. */
  release(): void {
    if (this.held < 0) return;
    Atomics.store(this.ring.meta, this.ring.stateIndex(this.held), SLOT_STATE.FREE);
    this.held = -1;
  }

  /**
   * Makes sure the blocks of steps from … from + count − 1 (of `generation`, n values each) are ready,
   * queued or being computed, reusing slots that hold anything else, then wakes the worker. Does nothing
   * while the first `lead` of them are all there, so the worker is woken for a batch every few steps
   * rather than for one block every step (each wake is a futex syscall). `describe` is called only
   * for the steps that get queued. Steps that find no slot are skipped (the caller computes them).
   */
  request(generation: number, n: number, from: number, count: number, lead: number, describe: (step: number) => BlockRequest): void {
    if (!this.alive || n > this.capacity) return;
    let covered = true;
    for (let step = from; step < from + lead && covered; step++) covered = this.find(generation, step, n) >= 0;
    if (covered) return;
    const wanted = (slot: number): boolean => {
      if (this.ring.field(slot, META.GENERATION) !== generation || this.ring.field(slot, META.LENGTH) !== n) return false;
      const step = this.ring.field(slot, META.STEP);
      return step >= from && step < from + count;
    };
    let posted = false;
    for (let step = from; step < from + count; step++) {
      if (this.find(generation, step, n) >= 0) continue;
      const slot = this.claim(wanted);
      if (slot < 0) break;
      const r = describe(step);
      const meta = this.ring.meta;
      const base = slot * META.STRIDE;
      meta[base + META.GENERATION] = generation;
      meta[base + META.STEP] = step;
      meta[base + META.LENGTH] = n;
      meta.set(r.seeds.subarray(0, 20), base + META.LANES);
      this.ring.std[slot] = r.std;
      Atomics.store(meta, base + META.STATE, SLOT_STATE.REQUESTED);
      posted = true;
    }
    if (posted) {
      Atomics.add(this.ring.control, CONTROL.SEQ, 1);
      Atomics.notify(this.ring.control, CONTROL.SEQ);
    }
  }

  /** Stops the worker (it exits at its next wake-up; terminate() makes sure). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ring.control, CONTROL.STOP, 1);
    Atomics.add(this.ring.control, CONTROL.SEQ, 1);
    Atomics.notify(this.ring.control, CONTROL.SEQ);
    this.worker.terminate().catch(() => undefined);
  }

  /** The slot labelled (generation, step, n) that is not FREE (queued, busy, ready or held), or −1. */
  private find(generation: number, step: number, n: number): number {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.ring.state(slot) === SLOT_STATE.FREE) continue;
      if (this.ring.field(slot, META.STEP) === step && this.ring.field(slot, META.GENERATION) === generation && this.ring.field(slot, META.LENGTH) === n) return slot;
    }
    return -1;
  }

  /**
   * A slot the main thread now owns for a new request: a FREE one, else a READY or queued one whose
   * block is not `wanted` (a queued one is taken back from the worker). Never a BUSY or held slot.
   */
  private claim(wanted: (slot: number) => boolean): number {
    for (let slot = 0; slot < this.slots; slot++) if (this.ring.state(slot) === SLOT_STATE.FREE) return slot;
    for (let slot = 0; slot < this.slots; slot++) if (this.ring.state(slot) === SLOT_STATE.READY && !wanted(slot)) return slot;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.ring.state(slot) !== SLOT_STATE.REQUESTED || wanted(slot)) continue;
      const index = this.ring.stateIndex(slot);
      if (Atomics.compareExchange(this.ring.meta, index, SLOT_STATE.REQUESTED, SLOT_STATE.FREE) === SLOT_STATE.REQUESTED) return slot;
    }
    return -1;
  }
}
