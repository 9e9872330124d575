import type * as tf from '@tensorflow/tfjs-core';

export interface WeightsManifest {
  readonly format: 'anneal-weights-v1';
  readonly dtype: 'float32';
  readonly littleEndian: true;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly length: number }[];
}

/** Serialises parameters as one float32 little-endian blob plus a JSON manifest of names, shapes and offsets. */
export function serializeWeights(params: Readonly<Record<string, tf.Variable>>): { bin: Uint8Array; manifest: WeightsManifest } {
  const tensors: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let total = 0;
  for (const [name, v] of Object.entries(params)) {
    tensors.push({ name, shape: [...v.shape], offset: total, length: v.size });
    total += v.size;
  }
  const all = new Float32Array(total);
  for (const t of tensors) all.set(params[t.name].dataSync() as Float32Array, t.offset);
  return { bin: new Uint8Array(all.buffer), manifest: { format: 'anneal-weights-v1', dtype: 'float32', littleEndian: true, tensors } };
}
