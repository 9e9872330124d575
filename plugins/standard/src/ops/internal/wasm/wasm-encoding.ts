/**
 * The few WebAssembly binary-format helpers the normal kernel needs (spec: webassembly.github.io/spec,
 * "Binary Format"). Kept tiny on purpose: the kernel is hand-assembled so the package needs no
 * toolchain and no .wasm asset.
 */
export type Bytes = number[];

/** Unsigned LEB128. */
export function u32(value: number): Bytes {
  const out: Bytes = [];
  let n = value >>> 0;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function s32(value: number): Bytes {
  const out: Bytes = [];
  let n = value | 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A length-prefixed vector of already-encoded items. */
export function vector(items: readonly Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

export function section(id: number, content: Bytes): Bytes {
  return [id, ...u32(content.length), ...content];
}

export function name(text: string): Bytes {
  const utf8 = Array.from(new TextEncoder().encode(text));
  return [...u32(utf8.length), ...utf8];
}

export const VALTYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/** Scalar opcodes used by the kernel. */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  blockTypeEmpty: 0x40,
} as const;

/** SIMD opcodes (0xfd prefix + LEB128 sub-opcode). */
export const SIMD = {
  v128Load: 0x00,
  v128Store: 0x0b,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  i32x4LtU: 0x3a,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Load32Lane: 0x56,
  i32x4Abs: 0xa0,
  i32x4AllTrue: 0xa3,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Mul: 0xb5,
  f32x4Mul: 0xe6,
  f32x4ConvertI32x4S: 0xfa,
} as const;

export function simd(op: number, ...immediates: number[]): Bytes {
  return [0xfd, ...u32(op), ...immediates];
}
