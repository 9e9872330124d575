import { Worker } from 'node:worker_threads';
import { CONTROL, CONTROL_BYTES, MAX_CHUNKS, drawOneChunk, tagOf, type ChunkLayout, type FillKernel } from './chunked-fill.js';

/** How long the requester waits for a chunk the helper has claimed before it gives up (a helper thread that died). */
const HELPER_TIMEOUT_MS = 60_000;

/**
 * A second thread that runs the noise kernel on the same shared memory, so one large draw uses two cores
 * (chunked-fill.ts). The requester takes each chunk in order as soon as it is drawn (it resolves the chunk's
 * misses, which must go in index order), and otherwise claims and draws one itself. So it never waits for a
 * helper that has not started, only for a chunk the helper is drawing (≤ 0.3 ms). The thread starts at the first request,
 * is unref'd (never keeps the process alive), and ANNEAL_NOISE_HELPER=0 turns it off.
 */
export class NormalFillHelper {
  private worker: Worker | null | undefined;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  private readonly std32 = new Float32Array(this.control.buffer);
  private seq = 0;

  constructor(
    private readonly module: object,
    private readonly memory: object,
  ) {}

  /** Whether a draw of this layout is worth (and able) to share. */
  static wanted(layout: ChunkLayout): boolean {
    return layout.chunks >= 2 && layout.chunks <= MAX_CHUNKS && process.env.ANNEAL_NOISE_HELPER !== '0';
  }

  /** Chunks the helper thread has drawn so far. */
  get helped(): number {
    return Atomics.load(this.control, CONTROL.HELPED);
  }

  /**
   * Draws every chunk of `layout` (this thread and the helper together) and calls `take(c, misses)` for
   * c = 0, 1, … in order, each as soon as chunk c is drawn. `fill` is this thread's kernel, on the memory
   * the helper shares.
   */
  draw(fill: FillKernel, layout: ChunkLayout, std: number, take: (chunk: number, misses: number) => void): void {
    const control = this.control;
    this.start();
    const tag = tagOf(++this.seq);
    control[CONTROL.CHUNK_GROUPS] = layout.chunkGroups;
    control[CONTROL.CHUNKS] = layout.chunks;
    control[CONTROL.GROUPS] = layout.groups;
    control[CONTROL.OUT] = layout.out;
    control[CONTROL.STATES] = layout.states;
    control[CONTROL.MISSES] = layout.misses;
    control[CONTROL.STRIDE] = layout.stride;
    this.std32[CONTROL.STD] = std;
    // A flag left by a request 0x7fff requests ago (with more chunks than those since) would carry this tag.
    control.fill(0, CONTROL.DONE, CONTROL.DONE + layout.chunks);
    Atomics.store(control, CONTROL.CLAIM, tag << 16);
    Atomics.store(control, CONTROL.SEQ, this.seq);
    if (this.worker) Atomics.notify(control, CONTROL.SEQ);
    let deadline = 0;
    for (let next = 0; next < layout.chunks; ) {
      const flag = Atomics.load(control, CONTROL.DONE + next);
      if (flag === tag) {
        take(next, control[CONTROL.COUNTS + next]);
        next++;
        deadline = 0;
      } else if (drawOneChunk(control, this.std32, tag, fill) < 0) {
        // Chunk `next` is the helper's and not drawn yet: wait for it.
        deadline ||= Date.now() + HELPER_TIMEOUT_MS;
        if (Date.now() > deadline) throw new Error(`the noise helper thread did not finish its chunk within ${HELPER_TIMEOUT_MS / 1000} s; set ANNEAL_NOISE_HELPER=0 to draw on one thread`);
        Atomics.wait(control, CONTROL.DONE + next, flag, 1000);
      }
    }
  }

  private start(): void {
    if (this.worker !== undefined) return;
    try {
      this.worker = new Worker(new URL('./normal-fill-helper-worker.js', import.meta.url), {
        workerData: { module: this.module, memory: this.memory, control: this.control.buffer },
      });
      this.worker.unref();
      // A helper that fails claims nothing more; the requester draws the rest (a claimed chunk is finished first).
      this.worker.on('error', () => (this.worker = null));
    } catch {
      this.worker = null;
    }
  }
}
