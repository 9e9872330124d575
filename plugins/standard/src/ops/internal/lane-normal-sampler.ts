import type { Rng } from '@anneal/core/random';
import { KERNEL_LAYOUT, normalKernelBytes } from './wasm/normal-kernel-module.js';
import { KN, LANES, WN32, fillLaneNormalReference, resolveMisses, seedLanes } from './lane-normal-stream.js';

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
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Kernel {
  readonly fill: (out: number, groups: number, miss: number, state: number, std: number) => number;
  readonly memory: WasmMemory;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or null when this runtime has no WebAssembly SIMD. Compiled once. */
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
 * Cost for the paper's MLP (88,210 values, wasm, loaded machine): ≈0.24 ms with the SIMD kernel
 * (including the ≈2.7% misses resolved in JS), versus ≈0.47 ms for core's `Rng.fillNormal` and ≈1 ms
 * for the JS reference of this stream. It holds scratch memory, not state: all state is in the master
 * Rng, so one sampler can serve every caller that uses each result before the next call (fastNoiseOps).
 */
export class LaneNormalSampler {
  readonly implementation: LaneSamplerImplementation;
  private kernel: Kernel | null = null;
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private jsOut = new Float32Array(0);
  private readonly slow = new Int32Array(4);
  private readonly lanes = new Int32Array(16);

  constructor(prefer: LaneSamplerImplementation = 'wasm-simd') {
    const module = prefer === 'wasm-simd' ? kernelModule() : null;
    if (module) {
      const instance = new wasmApi!.Instance(module, {});
      this.kernel = instance.exports as unknown as Kernel;
      this.refreshViews();
      this.i32.set(KN, KERNEL_LAYOUT.kn / 4);
      this.f32.set(WN32, KERNEL_LAYOUT.wn / 4);
    }
    this.implementation = this.kernel ? 'wasm-simd' : 'js';
  }

  /** n values of N(0, std²); advances `rng` by MASTER_DRAWS_PER_CALL (20) draws. */
  sample(rng: Rng, n: number, std: number): Float32Array {
    const kernel = this.kernel;
    if (kernel === null) {
      if (this.jsOut.length < n) this.jsOut = new Float32Array(n);
      return fillLaneNormalReference(rng, this.jsOut, n, std).subarray(0, n);
    }
    seedLanes(rng, this.lanes, this.slow);
    const groups = Math.ceil(n / LANES);
    const missOffset = KERNEL_LAYOUT.output + 16 * groups;
    this.ensureBytes(missOffset + 8 * LANES * groups);
    this.i32.set(this.lanes, KERNEL_LAYOUT.state / 4);
    const missCount = kernel.fill(KERNEL_LAYOUT.output, groups, missOffset, KERNEL_LAYOUT.state, std);
    const out = this.f32.subarray(KERNEL_LAYOUT.output / 4, KERNEL_LAYOUT.output / 4 + n);
    const misses = this.i32.subarray(missOffset / 4, missOffset / 4 + 2 * missCount);
    resolveMisses(out, n, std, misses, missCount, this.slow);
    return out;
  }

  private ensureBytes(bytes: number): void {
    const memory = this.kernel!.memory;
    if (memory.buffer.byteLength < bytes) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
      this.refreshViews();
    }
  }

  private refreshViews(): void {
    const buffer = this.kernel!.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
  }
}
