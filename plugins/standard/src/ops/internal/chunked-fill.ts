/**
 * One draw of the lane-normal stream cut into chunks of `chunkGroups` groups (4 values each), so that the
 * sampler's thread and its helper thread (normal-fill-helper.ts) can each run the kernel on some of them.
 * Both sides claim chunks from the same control words, so a helper that gets no core simply claims none.
 *
 * Control words (Int32Array over a SharedArrayBuffer):
 *   SEQ      request number (the helper sleeps on it)
 *   CLAIM    (tag << 16) | next unclaimed chunk, tag = 1 + SEQ mod 0x7fff: a stale claim can never succeed
 *   CHUNK_GROUPS, CHUNKS, GROUPS, OUT, STATES, MISSES, STRIDE: the request (byte offsets into the kernel's memory);
 *   STD      σ as float32 bits
 *   HELPED   chunks the helper has drawn since it started (for tests and the benchmark)
 *   COUNTS+c the number of misses of chunk c
 *   DONE+c   the tag of the request whose chunk c is drawn (cleared when a request starts)
 * The request is written before CLAIM is set, and only read after a successful claim: until every chunk is
 * done, the requester does not start another request.
 */
export const MAX_CHUNK_GROUPS = 1 << 15; // 131,072 values, ≈0.3 ms of kernel time
export const MIN_CHUNK_GROUPS = 1 << 12; // 16,384 values, ≈35 µs
export const MAX_CHUNKS = 4096;

/**
 * Groups per chunk for a draw of `groups` groups: a power of two near groups / 16 within [MIN, MAX], so a small
 * draw (the MLP's 88k values: 6 chunks) is still shared, and a large one (PTB's 4.65 M: 36 chunks) does not pay
 * for many jumps and claims (measured: 88k values 0.30 → 0.22 ms with the helper; 4.65 M, 14.1 → 7.4 ms).
 */
export function chunkGroupsFor(groups: number): number {
  let size = MIN_CHUNK_GROUPS;
  while (size < MAX_CHUNK_GROUPS && size * 16 < groups) size *= 2;
  return size;
}

export const CONTROL = { SEQ: 0, CLAIM: 1, CHUNK_GROUPS: 2, CHUNKS: 3, GROUPS: 4, OUT: 5, STATES: 6, MISSES: 7, STRIDE: 8, STD: 9, HELPED: 10, COUNTS: 16, DONE: 16 + MAX_CHUNKS } as const;
export const CONTROL_BYTES = 4 * (CONTROL.DONE + MAX_CHUNKS);

/** The claim tag of request `seq` (never 0, the value of a chunk flag no request has set). */
export const tagOf = (seq: number): number => 1 + (seq % 0x7fff);

/** The kernel's export (wasm/normal-kernel-module.ts). */
export type FillKernel = (out: number, groups: number, miss: number, state: number, std: number) => number;

/** Where a draw of `groups` groups in `chunks` chunks lives in the kernel's memory (all 16-byte aligned). */
export interface ChunkLayout {
  readonly chunkGroups: number;
  readonly chunks: number;
  readonly groups: number;
  readonly states: number;
  readonly out: number;
  readonly misses: number;
  readonly stride: number;
  readonly end: number;
}

const align16 = (x: number) => Math.ceil(x / 16) * 16;

export function chunkLayout(groups: number, free: number): ChunkLayout {
  const chunkGroups = chunkGroupsFor(groups);
  const chunks = Math.max(1, Math.ceil(groups / chunkGroups));
  const states = free;
  const out = align16(states + 64 * chunks);
  const misses = align16(out + 16 * groups);
  const stride = 32 * Math.min(groups, chunkGroups); // at most every value of a chunk misses: 8 bytes each
  return { chunkGroups, chunks, groups, states, out, misses, stride, end: misses + stride * chunks };
}

/** Runs the kernel on chunk c of `layout`; returns its miss count. */
export function fillChunk(fill: FillKernel, layout: ChunkLayout, c: number, std: number): number {
  const first = c * layout.chunkGroups;
  return fill(layout.out + 16 * first, Math.min(layout.chunkGroups, layout.groups - first), layout.misses + c * layout.stride, layout.states + 64 * c, std);
}

/** The request of the current claim, as the requester wrote it. */
export function readRequest(control: Int32Array, std32: Float32Array): { layout: ChunkLayout; std: number } {
  const layout: ChunkLayout = {
    chunkGroups: control[CONTROL.CHUNK_GROUPS],
    chunks: control[CONTROL.CHUNKS],
    groups: control[CONTROL.GROUPS],
    out: control[CONTROL.OUT],
    states: control[CONTROL.STATES],
    misses: control[CONTROL.MISSES],
    stride: control[CONTROL.STRIDE],
    end: 0,
  };
  return { layout, std: std32[CONTROL.STD] };
}

/** Claims one chunk of request `tag` and draws it; returns its index, or −1 when none is left to claim. */
export function drawOneChunk(control: Int32Array, std32: Float32Array, tag: number, fill: FillKernel): number {
  for (;;) {
    const w = Atomics.load(control, CONTROL.CLAIM);
    if (w >>> 16 !== tag) return -1;
    const c = w & 0xffff;
    if (c >= Atomics.load(control, CONTROL.CHUNKS)) return -1;
    if (Atomics.compareExchange(control, CONTROL.CLAIM, w, w + 1) !== w) continue;
    const { layout, std } = readRequest(control, std32);
    control[CONTROL.COUNTS + c] = fillChunk(fill, layout, c, std);
    Atomics.store(control, CONTROL.DONE + c, tag);
    Atomics.notify(control, CONTROL.DONE + c);
    return c;
  }
}
