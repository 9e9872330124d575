import { OP, SIMD, VALTYPE, name, s32, section, simd, u32, vector, type Bytes } from './wasm-encoding.js';

/**
 * Memory layout of the kernel's linear memory (byte offsets). The memory is imported (`env.memory`) and
 * shared, so the sampler's helper thread runs the same kernel on the same memory (lane-normal-sampler.ts).
 *   [0, 512)      KN: the ziggurat acceptance bounds, int32 × 128
 *   [512, 1024)   WN: the layer widths as float32 × 128
 *   [4096, …)     free for the caller: the chunks' lane states (4 v128 words s0..s3 each; lane k of word j
 *                 is word j of lane k's xoshiro128**), the output floats, the miss lists (pairs of int32:
 *                 index, hz), all 16-byte aligned
 */
export const KERNEL_LAYOUT = { kn: 0, wn: 512, free: 4096 } as const;

/** The shared memory's largest size in 64 KiB pages (4 GiB, wasm32's limit): reserved, not committed. */
export const KERNEL_MAX_PAGES = 65536;

/**
 * Builds the WebAssembly module of the 4-lane ziggurat kernel:
 *
 *   fill(out, groups, miss, state, std: f32) -> missCount
 *
 * For g in [0, groups): advance the four xoshiro128** lanes once (SIMD), take hz = their outputs,
 * iz = hz & 127, and store f32(f32(f32(hz)·WN[iz])·std) at out[4g + k]. A lane whose |hz| (unsigned)
 * is not below KN[iz] missed the ziggurat's rectangle: its (index 4g + k, hz) is appended to the miss
 * list for the caller to resolve; the index 4g + k counts from `out`. The lane state is written back at the end.
 *
 * Every float op is a single IEEE f32 multiply or an int→f32 conversion, so the JS reference
 * (`fillLaneNormalReference` in ../lane-normal-stream.ts, with Math.fround) reproduces the output bit for bit.
 */
export function normalKernelBytes(): Uint8Array {
  // params 0..4, then locals: 5..16 v128, 17..19 i32
  const P = { out: 0, groups: 1, miss: 2, state: 3, std: 4 } as const;
  const V = { s0: 5, s1: 6, s2: 7, s3: 8, m: 9, r: 10, t: 11, off: 12, kn: 13, wn: 14, acc: 15, stdv: 16 } as const;
  const I = { g: 17, nmiss: 18, addr: 19 } as const;

  const get = (l: number): Bytes => [OP.localGet, ...u32(l)];
  const set = (l: number): Bytes => [OP.localSet, ...u32(l)];
  const tee = (l: number): Bytes => [OP.localTee, ...u32(l)];
  const i32 = (v: number): Bytes => [OP.i32Const, ...s32(v)];
  const splatI32 = (v: number): Bytes => [...i32(v), ...simd(SIMD.i32x4Splat)];
  const memarg = (alignLog2: number, offset: number): number[] => [alignLog2, ...u32(offset)];
  const loadV = (offset: number): Bytes => simd(SIMD.v128Load, ...memarg(4, offset));
  const storeV = (offset: number): Bytes => simd(SIMD.v128Store, ...memarg(4, offset));
  const xorInto = (dst: number, src: number): Bytes => [...get(dst), ...get(src), ...simd(SIMD.v128Xor), ...set(dst)];
  const rotl = (l: number, k: number): Bytes => [
    ...get(l), ...i32(k), ...simd(SIMD.i32x4Shl),
    ...get(l), ...i32(32 - k), ...simd(SIMD.i32x4ShrU),
    ...simd(SIMD.v128Or),
  ];
  // dst lane k ← table[(off lane k)] for k = 0..3 (off holds byte offsets iz·4)
  const gather = (dst: number, tableOffset: number): Bytes =>
    [0, 1, 2, 3].flatMap((lane) => [
      ...get(V.off), ...simd(SIMD.i32x4ExtractLane, lane),
      ...get(dst), ...simd(SIMD.v128Load32Lane, ...memarg(2, tableOffset), lane),
      ...set(dst),
    ]);
  const recordMisses: Bytes = [0, 1, 2, 3].flatMap((lane) => [
    ...get(V.acc), ...simd(SIMD.i32x4ExtractLane, lane), OP.i32Eqz, OP.if, OP.blockTypeEmpty,
    ...get(P.miss), ...get(I.nmiss), ...i32(3), OP.i32Shl, OP.i32Add, ...tee(I.addr),
    ...get(I.g), ...i32(2), OP.i32Shl, ...i32(lane), OP.i32Add, OP.i32Store, ...memarg(2, 0),
    ...get(I.addr), ...get(V.r), ...simd(SIMD.i32x4ExtractLane, lane), OP.i32Store, ...memarg(2, 4),
    ...get(I.nmiss), ...i32(1), OP.i32Add, ...set(I.nmiss),
    OP.end,
  ]);

  const body: Bytes = [
    ...get(P.state), ...loadV(0), ...set(V.s0),
    ...get(P.state), ...loadV(16), ...set(V.s1),
    ...get(P.state), ...loadV(32), ...set(V.s2),
    ...get(P.state), ...loadV(48), ...set(V.s3),
    ...get(P.std), ...simd(SIMD.f32x4Splat), ...set(V.stdv),
    OP.block, OP.blockTypeEmpty, OP.loop, OP.blockTypeEmpty,
    ...get(I.g), ...get(P.groups), OP.i32GeU, OP.brIf, 1,
    // xoshiro128** on four lanes: r = rotl(s1·5, 7)·9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
    ...get(V.s1), ...splatI32(5), ...simd(SIMD.i32x4Mul), ...set(V.m),
    ...rotl(V.m, 7), ...splatI32(9), ...simd(SIMD.i32x4Mul), ...set(V.r),
    ...get(V.s1), ...i32(9), ...simd(SIMD.i32x4Shl), ...set(V.t),
    ...xorInto(V.s2, V.s0), ...xorInto(V.s3, V.s1), ...xorInto(V.s1, V.s2), ...xorInto(V.s0, V.s3), ...xorInto(V.s2, V.t),
    ...rotl(V.s3, 11), ...set(V.s3),
    // off = (hz & 127)·4; gather KN and WN
    ...get(V.r), ...i32(2), ...simd(SIMD.i32x4Shl), ...splatI32(127 * 4), ...simd(SIMD.v128And), ...set(V.off),
    ...gather(V.kn, KERNEL_LAYOUT.kn),
    ...gather(V.wn, KERNEL_LAYOUT.wn),
    // acc = |hz| <u KN[iz]  (|−2^31| stays 2^31 unsigned: rejected, as in the scalar ziggurat)
    ...get(V.r), ...simd(SIMD.i32x4Abs), ...get(V.kn), ...simd(SIMD.i32x4LtU), ...set(V.acc),
    // out[4g..4g+3] = f32(hz)·WN[iz]·std
    ...get(P.out), ...get(I.g), ...i32(4), OP.i32Shl, OP.i32Add,
    ...get(V.r), ...simd(SIMD.f32x4ConvertI32x4S), ...get(V.wn), ...simd(SIMD.f32x4Mul), ...get(V.stdv), ...simd(SIMD.f32x4Mul),
    ...storeV(0),
    ...get(V.acc), ...simd(SIMD.i32x4AllTrue), OP.i32Eqz, OP.if, OP.blockTypeEmpty, ...recordMisses, OP.end,
    ...get(I.g), ...i32(1), OP.i32Add, ...set(I.g),
    OP.br, 0, OP.end, OP.end,
    ...get(P.state), ...get(V.s0), ...storeV(0),
    ...get(P.state), ...get(V.s1), ...storeV(16),
    ...get(P.state), ...get(V.s2), ...storeV(32),
    ...get(P.state), ...get(V.s3), ...storeV(48),
    ...get(I.nmiss),
    OP.end,
  ];
  const locals = vector([[...u32(12), VALTYPE.v128], [...u32(3), VALTYPE.i32]]);
  const code = [...locals, ...body];
  const fillType = [0x60, ...vector([[VALTYPE.i32], [VALTYPE.i32], [VALTYPE.i32], [VALTYPE.i32], [VALTYPE.f32]]), ...vector([[VALTYPE.i32]])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vector([fillType])), // types
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, ...u32(1), ...u32(KERNEL_MAX_PAGES)]])), // imports: shared memory, min 1 page
    ...section(3, vector([[0]])), // functions: fill has type 0
    ...section(7, vector([[...name('fill'), 0x00, 0]])), // exports
    ...section(10, vector([[...u32(code.length), ...code]])), // code
  ]);
}
