import { isMainThread } from 'node:worker_threads';
import type { Rng } from '@anneal/core/random';
import { chunkLayout, fillChunk, type ChunkLayout, type FillKernel } from './chunked-fill.js';
import { KN, LANES, WN32, fillLaneNormalReference, resolveMisses, seedLanes } from './lane-normal-stream.js';
import { NormalFillHelper } from './normal-fill-helper.js';
import { KERNEL_LAYOUT, KERNEL_MAX_PAGES, normalKernelBytes } from './wasm/normal-kernel-module.js';
import { writeChunkStates } from './chunk-states.js';

export type LaneSamplerImplementation = 'wasm-simd' | 'js';

// The slice of the WebAssembly JS API used here (the package compiles without the DOM lib).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or null when this runtime has no WebAssembly SIMD (or no shared memory). Compiled once. */
function kernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = normalKernelBytes();
    compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether the WebAssembly SIMD kernel can run here. */
export function simdNormalKernelAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * Draws N(0, std²) values of the 4-lane ziggurat stream (lane-normal-stream.ts) from a master `Rng`,
 * into memory it owns and reuses. The returned array is a view valid until the next `sample` call.
 *
 * A draw is cut into chunks of `chunkGroupsFor(groups)` groups (chunked-fill.ts). Each chunk's lane states are
 * the seeds jumped ahead (xoshiro-jump.ts), so the chunks can be drawn in any order and on two threads:
 * this one and a helper on the same shared memory (normal-fill-helper.ts; `helper: false` or
 * ANNEAL_NOISE_HELPER=0 draws on this thread alone). The values are the stream's either way. This thread
 * resolves each chunk's misses, in index order from the one slow-path stream, as soon as the chunk is drawn.
 *
 * Cost (2 cores, idle, 2026-12-03): the MLP's 88,210 values 0.30 ms on one thread, 0.22 ms with the helper;
 * PTB's 4.65 M values 14.1 ms on one thread (10 ms kernel, 4.3 ms misses), 7.4 ms with the helper.
 */
export class LaneNormalSampler {
  readonly implementation: LaneSamplerImplementation;
  private memory: WasmMemory | null = null;
  private fill: FillKernel | null = null;
  private helper: NormalFillHelper | null = null;
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private jsOut = new Float32Array(0);
  private readonly slow = new Int32Array(4);
  private readonly lanes = new Int32Array(16);

  constructor(prefer: LaneSamplerImplementation = 'wasm-simd', options: { helper?: boolean } = {}) {
    const module = prefer === 'wasm-simd' ? kernelModule() : null;
    if (module) {
      try {
        this.memory = new wasmApi!.Memory({ initial: 1, maximum: KERNEL_MAX_PAGES, shared: true });
        this.fill = (new wasmApi!.Instance(module, { env: { memory: this.memory } }).exports as { fill: FillKernel }).fill;
        this.refreshViews();
        this.i32.set(KN, KERNEL_LAYOUT.kn / 4);
        this.f32.set(WN32, KERNEL_LAYOUT.wn / 4);
        if (options.helper ?? isMainThread) this.helper = new NormalFillHelper(module, this.memory);
      } catch {
        this.memory = null;
        this.fill = null;
      }
    }
    this.implementation = this.fill ? 'wasm-simd' : 'js';
  }

  /** Chunks drawn by the helper thread so far (0 without one). */
  get helpedChunks(): number {
    return this.helper?.helped ?? 0;
  }

  /** n values of N(0, std²); advances `rng` by MASTER_DRAWS_PER_CALL (20) draws. */
  sample(rng: Rng, n: number, std: number): Float32Array {
    const fill = this.fill;
    if (fill === null) {
      if (this.jsOut.length < n) this.jsOut = new Float32Array(n);
      return fillLaneNormalReference(rng, this.jsOut, n, std).subarray(0, n);
    }
    seedLanes(rng, this.lanes, this.slow);
    const layout = chunkLayout(Math.ceil(n / LANES), KERNEL_LAYOUT.free);
    this.ensureBytes(layout.end);
    writeChunkStates(this.lanes, layout.chunks, layout.chunkGroups, this.i32, layout.states / 4);
    const out = this.f32.subarray(layout.out / 4, layout.out / 4 + n);
    const take = (c: number, missCount: number) => {
      const first = LANES * layout.chunkGroups * c;
      resolveMisses(out.subarray(first), n - first, std, this.i32.subarray((layout.misses + c * layout.stride) / 4), missCount, this.slow);
    };
    if (this.helper && NormalFillHelper.wanted(layout)) this.helper.draw(fill, layout, std, take);
    else for (let c = 0; c < layout.chunks; c++) take(c, fillChunk(fill, layout, c, std));
    return out;
  }

  private ensureBytes(bytes: number): void {
    const memory = this.memory!;
    if (memory.buffer.byteLength < bytes) {
      if (bytes > KERNEL_MAX_PAGES * 65536) throw new RangeError(`gaussian noise: ${bytes} bytes of sampler memory needed, more than its 4 GiB; draw fewer values per call`);
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    }
    this.refreshViews();
  }

  private refreshViews(): void {
    const buffer = this.memory!.buffer;
    if (this.f32.buffer === buffer && this.f32.length * 4 === buffer.byteLength) return;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
  }
}
