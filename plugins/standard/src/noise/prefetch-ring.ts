/**
 * The shared-memory ring between a noise plugin (main thread) and its prefetch worker
 * (noise-prefetch-worker.ts). Imported by both sides, so it depends on nothing but the language.
 *
 * One SharedArrayBuffer:
 *   control  Int32 × 4      [SEQ] bumped (and notified) by the main thread after it posts requests;
 *                           [STOP] set to 1 when the worker must exit
 *   meta     Int32 × 32 per slot: [state, generation, step, n, lane seeds × 16, slow seeds × 4, …]
 *   std      Float64 per slot
 *   data     Float32 × capacity per slot (16-byte aligned)
 *
 * Slot ownership follows its state, so no field is ever written by both threads at once:
 *   FREE, READY, HELD  main thread (it reads a READY block, holds it while adding it, frees it)
 *   REQUESTED          either: the worker claims it with compareExchange → BUSY; the main thread may
 *                      cancel it with compareExchange → FREE
 *   BUSY               worker (it fills `data`, then stores READY)
 * Every publication goes through an Atomics store or compareExchange (sequentially consistent), which
 * orders the plain reads and writes of meta and data around it.
 */
export const SLOT_STATE = { FREE: 0, REQUESTED: 1, BUSY: 2, READY: 3, HELD: 4 } as const;

export const CONTROL = { SEQ: 0, STOP: 1 } as const;
const CONTROL_INTS = 4;

export const META = { STATE: 0, GENERATION: 1, STEP: 2, LENGTH: 3, LANES: 4, SLOW: 20, STRIDE: 32 } as const;

export interface PrefetchRingShape {
  /** Number of slots. */
  readonly slots: number;
  /** Float32 capacity of each slot's block. */
  readonly capacity: number;
}

/** Typed views over a ring buffer (the same layout on both threads). */
export class PrefetchRing {
  readonly control: Int32Array;
  readonly meta: Int32Array;
  readonly std: Float64Array;
  private readonly data: Float32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly shape: PrefetchRingShape,
  ) {
    const { slots, capacity } = shape;
    const metaOffset = 4 * CONTROL_INTS;
    const stdOffset = align(metaOffset + 4 * META.STRIDE * slots, 8);
    const dataOffset = align(stdOffset + 8 * slots, 16);
    this.control = new Int32Array(buffer, 0, CONTROL_INTS);
    this.meta = new Int32Array(buffer, metaOffset, META.STRIDE * slots);
    this.std = new Float64Array(buffer, stdOffset, slots);
    this.data = new Float32Array(buffer, dataOffset, slots * capacity);
  }

  /** Bytes needed for a ring of this shape. */
  static byteLength(shape: PrefetchRingShape): number {
    const metaOffset = 4 * CONTROL_INTS;
    const stdOffset = align(metaOffset + 4 * META.STRIDE * shape.slots, 8);
    return align(stdOffset + 8 * shape.slots, 16) + 4 * shape.slots * shape.capacity;
  }

  stateIndex(slot: number): number {
    return slot * META.STRIDE + META.STATE;
  }

  state(slot: number): number {
    return Atomics.load(this.meta, this.stateIndex(slot));
  }

  field(slot: number, field: number): number {
    return this.meta[slot * META.STRIDE + field];
  }

  /** The first n values of a slot's block. */
  block(slot: number, n: number): Float32Array {
    const start = slot * this.shape.capacity;
    return this.data.subarray(start, start + n);
  }

  /** Copies a slot's lane and slow-path seeds into the given arrays. */
  readSeeds(slot: number, lanes: Int32Array, slow: Int32Array): void {
    const base = slot * META.STRIDE;
    lanes.set(this.meta.subarray(base + META.LANES, base + META.LANES + 16));
    slow.set(this.meta.subarray(base + META.SLOW, base + META.SLOW + 4));
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
