import * as tf from '@tensorflow/tfjs-core';

/**
 * The 14 fixed NRAM modules (Kurach et al. 2016; paper-spec §4.1), in circuit order. Integers are {0..M−1},
 * arithmetic is mod M, comparisons give 1 or 0. READ and WRITE touch the memory; the rest are functions.
 */
export type ModuleName =
  | 'READ' | 'ZERO' | 'ONE' | 'TWO' | 'INC' | 'ADD' | 'SUB' | 'DEC'
  | 'LESS-THAN' | 'LESS-OR-EQUAL-THAN' | 'EQUALITY-TEST' | 'MIN' | 'MAX' | 'WRITE';

export interface ModuleSpec {
  readonly name: ModuleName;
  readonly arity: 0 | 1 | 2;
}

export const NRAM_MODULES: readonly ModuleSpec[] = Object.freeze([
  { name: 'READ', arity: 1 },
  { name: 'ZERO', arity: 0 },
  { name: 'ONE', arity: 0 },
  { name: 'TWO', arity: 0 },
  { name: 'INC', arity: 1 },
  { name: 'ADD', arity: 2 },
  { name: 'SUB', arity: 2 },
  { name: 'DEC', arity: 1 },
  { name: 'LESS-THAN', arity: 2 },
  { name: 'LESS-OR-EQUAL-THAN', arity: 2 },
  { name: 'EQUALITY-TEST', arity: 2 },
  { name: 'MIN', arity: 2 },
  { name: 'MAX', arity: 2 },
  { name: 'WRITE', arity: 2 },
] as const);

const mod = (x: number, M: number) => ((x % M) + M) % M;

/** The integer function of a non-memory module: f(a, b) for binary, f(a) for unary, f() for constants. */
export function moduleFunction(name: ModuleName, M: number): (a: number, b: number) => number {
  switch (name) {
    case 'ZERO': return () => 0;
    case 'ONE': return () => mod(1, M);
    case 'TWO': return () => mod(2, M);
    case 'INC': return (a) => mod(a + 1, M);
    case 'DEC': return (a) => mod(a - 1, M);
    case 'ADD': return (a, b) => mod(a + b, M);
    case 'SUB': return (a, b) => mod(a - b, M);
    case 'LESS-THAN': return (a, b) => (a < b ? 1 : 0);
    case 'LESS-OR-EQUAL-THAN': return (a, b) => (a <= b ? 1 : 0);
    case 'EQUALITY-TEST': return (a, b) => (a === b ? 1 : 0);
    case 'MIN': return (a, b) => Math.min(a, b);
    case 'MAX': return (a, b) => Math.max(a, b);
    case 'READ':
    case 'WRITE':
      throw new Error(`module ${name} acts on the memory; it has no integer table`);
  }
}

/**
 * The module as a 0/1 matrix for fuzzy application on independent inputs: unary [M, M] with row a
 * one-hot at f(a); binary [M·M, M] with row a·M + b one-hot at f(a, b). Then
 * P(out = c) = Σ_{a,b} A(a) B(b) 1[f(a,b) = c] = (A ⊗ B) · table.
 */
export function moduleTable(spec: ModuleSpec, M: number): Float32Array {
  const f = moduleFunction(spec.name, M);
  const rows = spec.arity === 2 ? M * M : M;
  const out = new Float32Array(rows * M);
  for (let r = 0; r < rows; r++) {
    const [a, b] = spec.arity === 2 ? [Math.floor(r / M), r % M] : [r, 0];
    out[r * M + f(a, b)] = 1;
  }
  return out;
}

/** Fuzzy unary module: [b, M] distributions → [b, M]. */
export function applyUnary(a: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(a, table);
}

/** Fuzzy binary module on independent inputs: the outer product A ⊗ B [b, M·M] summed into output buckets. */
export function applyBinary(a: tf.Tensor2D, b: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor2D {
  const [n, M] = a.shape;
  // The outer product as a batched matmul [b, M, 1] × [b, 1, M] (a broadcasting multiply is slow on the cpu backend).
  const outer = tf.reshape(tf.matMul(tf.reshape(a, [n, M, 1]), tf.reshape(b, [n, 1, M])), [n, M * M]) as tf.Tensor2D;
  return tf.matMul(outer, table);
}

/** READ(p): the mixture of memory rows weighted by the pointer distribution, ℳᵀp. */
export function fuzzyRead(p: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor2D {
  const [n, M] = p.shape;
  return tf.reshape(tf.matMul(tf.reshape(p, [n, 1, M]), memory), [n, M]) as tf.Tensor2D;
}

/** WRITE(p, a): row i of the memory blended toward a with weight p_i: ℳ ← (1 − p)1ᵀ ⊙ ℳ + p aᵀ. */
export function fuzzyWrite(p: tf.Tensor2D, a: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D {
  const [n, M] = p.shape;
  const pc = tf.reshape(p, [n, M, 1]);
  // p 1ᵀ and p aᵀ as batched matmuls, so the blend is elementwise on equal shapes.
  const keep = tf.sub(1, tf.matMul(pc, tf.ones([n, 1, M])));
  return tf.add(tf.mul(keep, memory), tf.matMul(pc, tf.reshape(a, [n, 1, M]))) as tf.Tensor3D;
}
