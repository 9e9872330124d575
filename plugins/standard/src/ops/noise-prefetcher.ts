import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { backendComputeThreads } from '@anneal/core';
import { REQUEST, REQUEST_VALUES, type PrefetchReply } from './internal/noise-prefetch-protocol.js';

/**
 * Below this many entries (≈2.5 ms of drawing) the noise is drawn on demand. Waking the thread can cost
 * the step a scheduler slice when no core is idle (measured on a loaded machine: the MLP's 88k-entry
 * draw, ≈0.3 ms on demand, cost 8–26 ms per step through the thread), so only large draws (the PTB
 * LSTM's 4.65 M entries) are worth handing over.
 */
export const PREFETCH_MIN_SIZE = 1 << 20;

/**
 * Whether a core is left idle while the backend computes a step, for the prefetch thread to draw on. When the
 * backend's threads take every core (TensorFlow with as many threads as cores), the thread would take a core
 * from the step: PTB's graph step on two TF threads took 81–90 ms prefetched against 77–78 ms drawn on demand
 * (by this thread and the sampler's helper, in the host phase when TensorFlow is idle; 2026-12-03).
 */
export function prefetchHasACore(backend?: string): boolean {
  return backendComputeThreads(backend) < availableParallelism();
}

/** Whether to draw ahead at all: ANNEAL_NOISE_PREFETCH=0 never, =1 always, else when a core is idle (prefetchHasACore). */
export function prefetchWanted(): boolean {
  const setting = process.env.ANNEAL_NOISE_PREFETCH;
  return setting !== '0' && (setting === '1' || prefetchHasACore());
}

interface Pending {
  readonly seq: number;
  readonly n: number;
  readonly key: number;
  readonly std: number;
}

/**
 * Draws the next step's gradient noise on a worker thread while this thread computes the step's
 * forward and backward. The noise of step t is a pure function of (n, key, std) (the plugin derives
 * the key from its seed and t), so a prefetched draw is bit-identical to drawing it on demand: `take`
 * returns it only when all three match the request, and otherwise undefined (the caller draws).
 *
 * Synchronous and wait-free on the main side, so it works inside the trainer's synchronous tf.tidy
 * step: a request is written to shared words (Atomics; a postMessage cost milliseconds per call in
 * the trainer's process), and `take` reads the reply with receiveMessageOnPort. The thread is unref'd
 * (it never keeps the process alive); if it cannot start or fails, every `take` returns undefined.
 * ANNEAL_NOISE_PREFETCH=0 turns it off (the benchmark's profile compares both).
 */
export class NoisePrefetcher {
  private worker: Worker | null | undefined;
  private replies?: MessagePort;
  private readonly word = new Int32Array(new SharedArrayBuffer(4 * REQUEST.length));
  private readonly values = new Float64Array(new SharedArrayBuffer(8 * REQUEST_VALUES.length));
  private seq = 0;
  private pending?: Pending;

  /**
   * Starts drawing N(0, std²) × n from key `key` in the background. Ignored for small n, when the backend leaves no
   * core idle (`prefetchHasACore`), and with ANNEAL_NOISE_PREFETCH=0; ANNEAL_NOISE_PREFETCH=1 prefetches even
   * without an idle core (the benchmark's comparison).
   */
  request(n: number, key: number, std: number): void {
    if (n < PREFETCH_MIN_SIZE || !prefetchWanted()) return;
    if (!this.start()) return;
    const seq = ++this.seq;
    this.pending = { seq, n, key, std };
    Atomics.store(this.word, REQUEST.n, n);
    this.values[REQUEST_VALUES.key] = key;
    this.values[REQUEST_VALUES.std] = std;
    Atomics.store(this.word, REQUEST.seq, seq);
    Atomics.notify(this.word, REQUEST.seq);
  }

  /** Whether the requested draw has been made (the thread has answered it). */
  get ready(): boolean {
    return this.pending !== undefined && Atomics.load(this.word, REQUEST.done) >= this.pending.seq;
  }

  /**
   * The prefetched draw for exactly (n, key, std) when the thread has finished it; undefined when there is
   * none or it is not ready (the caller then draws itself: on a busy machine, waiting for a thread that
   * got no core would cost more than drawing).
   */
  take(n: number, key: number, std: number): Float32Array | undefined {
    const p = this.pending;
    if (!p || p.n !== n || p.key !== key || p.std !== std) return undefined;
    this.pending = undefined;
    if (Atomics.load(this.word, REQUEST.done) < p.seq) return undefined;
    // Replies come in request order; skip those of requests that were replaced or not waited for.
    for (;;) {
      const reply = receiveMessageOnPort(this.replies!)?.message as PrefetchReply | undefined;
      if (!reply) return Atomics.load(this.word, REQUEST.status) === 0 ? this.fail() : undefined;
      if (reply.seq === p.seq && reply.n === n && reply.key === key && reply.std === std) return new Float32Array(reply.buffer, 0, n);
    }
  }

  private start(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    try {
      const channel = new MessageChannel();
      this.worker = new Worker(new URL('./internal/noise-prefetch-worker.js', import.meta.url), {
        workerData: { control: this.word.buffer, values: this.values.buffer, replies: channel.port2 },
        transferList: [channel.port2],
      });
      this.worker.unref();
      this.worker.on('error', () => this.fail());
      this.replies = channel.port1;
      this.replies.unref();
    } catch {
      this.worker = null;
    }
    return this.worker;
  }

  private fail(): undefined {
    void this.worker?.terminate();
    this.worker = null;
    this.pending = undefined;
    return undefined;
  }
}
