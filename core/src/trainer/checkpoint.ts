import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnealError } from '../errors/anneal-error.js';
import { Rng, type RngState } from '../random/rng.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';

/**
 * Checkpoint encoding of plugin states and parameters.
 * JSON tree where tensors (tf.Variable / typed arrays) are replaced by references into one binary
 * blob, and Rng objects by their 4-word state. Restoring walks the live template state: Variables are
 * assigned in place, Rngs get their state back, plain values are replaced.
 */
type Encoded =
  | null
  | boolean
  | number
  | string
  | Encoded[]
  | { [k: string]: Encoded }
  | { __tensor: number; shape: number[]; dtype: string }
  | { __rng: RngState }
  | { __f32: number; length: number };

export interface CheckpointPosition {
  /** Completed updates (the noise schedule's t continues from here). */
  readonly step: number;
  /** Index of the phase and epoch-in-phase to continue with, and the batch within that epoch. */
  readonly phaseIndex: number;
  readonly epochInPhase: number;
  readonly batchInEpoch: number;
  /** Global epoch counter (across phases). */
  readonly epoch: number;
}

export interface CheckpointData {
  readonly version: 1;
  readonly position: CheckpointPosition;
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly states: ReadonlyMap<string, unknown>;
  /** The model's carried state (LSTM hidden state mid-epoch), when it carries state. */
  readonly carry?: Readonly<Record<string, tf.Tensor>>;
  readonly extra: Readonly<Record<string, unknown>>;
}

class BlobWriter {
  readonly parts: Float32Array[] = [];
  offset = 0;
  add(data: Float32Array): number {
    const at = this.offset;
    this.parts.push(data);
    this.offset += data.length;
    return at;
  }
  bytes(): Uint8Array {
    const all = new Float32Array(this.offset);
    let o = 0;
    for (const p of this.parts) {
      all.set(p, o);
      o += p.length;
    }
    return new Uint8Array(all.buffer);
  }
}

function encode(value: unknown, blob: BlobWriter): Encoded {
  if (value === null || value === undefined) return null;
  if (value instanceof tf.Variable || value instanceof tf.Tensor) {
    const t = value as tf.Tensor;
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`cannot checkpoint tensor of dtype ${t.dtype}`);
    return { __tensor: blob.add(Float32Array.from(t.dataSync() as Float32Array | Int32Array)), shape: [...t.shape], dtype: t.dtype };
  }
  if (value instanceof Rng) return { __rng: value.getState() };
  if (value instanceof Float32Array) return { __f32: blob.add(value), length: value.length };
  if (Array.isArray(value)) return value.map((v) => encode(v, blob));
  if (typeof value === 'object') {
    const maybe = value as { toCheckpoint?: () => unknown };
    if (typeof maybe.toCheckpoint === 'function' && !(value instanceof Rng)) return encode(maybe.toCheckpoint(), blob);
    const out: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = encode(v, blob);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`cannot checkpoint a value of type ${typeof value}`);
}

function decodeInto(template: unknown, encoded: Encoded, blob: Float32Array, path: string): unknown {
  if (encoded === null) return template ?? null;
  if (typeof encoded === 'object' && !Array.isArray(encoded)) {
    if ('__tensor' in encoded) {
      const e = encoded as { __tensor: number; shape: number[]; dtype: string };
      const size = e.shape.reduce((a, b) => a * b, 1);
      const data = blob.subarray(e.__tensor, e.__tensor + size);
      if (template instanceof tf.Variable) {
        if (template.shape.join('x') !== e.shape.join('x')) throw new AnnealError('ANNEAL_ERR_RESUME', `checkpoint shape mismatch at ${path}: ${e.shape} vs ${template.shape}`);
        template.assign(tf.tidy(() => tf.tensor(e.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data), e.shape, e.dtype as 'float32' | 'int32')));
        return template;
      }
      return tf.tensor(Float32Array.from(data), e.shape, e.dtype as 'float32' | 'int32');
    }
    if ('__rng' in encoded) {
      const state = (encoded as { __rng: RngState }).__rng;
      if (template instanceof Rng) {
        template.setState(state);
        return template;
      }
      return Rng.fromState(state);
    }
    if ('__f32' in encoded) {
      const e = encoded as { __f32: number; length: number };
      const data = blob.subarray(e.__f32, e.__f32 + e.length);
      if (template instanceof Float32Array && template.length === e.length) {
        template.set(data);
        return template;
      }
      return Float32Array.from(data);
    }
    const t = (template && typeof template === 'object' ? template : {}) as Record<string, unknown>;
    const out: Record<string, unknown> = Array.isArray(template) ? [] as unknown as Record<string, unknown> : { ...t };
    for (const [k, v] of Object.entries(encoded as Record<string, Encoded>)) out[k] = decodeInto(t[k], v, blob, `${path}.${k}`);
    // class instances in the template (other than handled ones) are kept and their fields restored
    if (template && typeof template === 'object' && Object.getPrototypeOf(template) !== Object.prototype && !Array.isArray(template)) {
      Object.assign(template as object, out);
      return template;
    }
    return out;
  }
  if (Array.isArray(encoded)) {
    const t = Array.isArray(template) ? template : [];
    return encoded.map((v, i) => decodeInto(t[i], v, blob, `${path}[${i}]`));
  }
  return encoded;
}

/** Writes `<dir>/checkpoint.json` and `<dir>/checkpoint.bin` atomically (bin first, then json). */
export function saveCheckpoint(dir: string, data: CheckpointData): void {
  const blob = new BlobWriter();
  const params: Record<string, Encoded> = {};
  for (const [k, v] of Object.entries(data.params)) params[k] = encode(v, blob);
  const states: Record<string, Encoded> = {};
  for (const [k, v] of data.states) states[k] = encode(v, blob);
  const carry = data.carry ? Object.fromEntries(Object.entries(data.carry).map(([k, t]) => [k, encode(t, blob)])) : undefined;
  const json = { version: 1, position: data.position, params, states, ...(carry ? { carry } : {}), extra: data.extra, blobFloats: blob.offset };
  writeFileAtomic(join(dir, 'checkpoint.bin'), blob.bytes());
  writeJsonAtomic(join(dir, 'checkpoint.json'), json);
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'checkpoint.json')) && existsSync(join(dir, 'checkpoint.bin'));
}

/**
 * Restores params and states in place from `<dir>/checkpoint.*` into the live objects; returns the
 * position and extra data.
 */
export function restoreCheckpoint(
  dir: string,
  params: Readonly<Record<string, tf.Variable>>,
  states: Map<string, unknown>,
): { position: CheckpointPosition; extra: Record<string, unknown>; carry?: Record<string, tf.Tensor> } {
  if (!hasCheckpoint(dir)) throw new AnnealError('ANNEAL_ERR_RESUME', `no checkpoint in ${dir}: the run did not save one (it ended before its first checkpoint).`);
  const json = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as {
    position: CheckpointPosition;
    params: Record<string, Encoded>;
    states: Record<string, Encoded>;
    carry?: Record<string, Encoded>;
    extra: Record<string, unknown>;
    blobFloats: number;
  };
  const bytes = readFileSync(join(dir, 'checkpoint.bin'));
  if (bytes.byteLength !== json.blobFloats * 4) throw new AnnealError('ANNEAL_ERR_RESUME', `checkpoint in ${dir} is inconsistent (binary has ${bytes.byteLength} bytes, expected ${json.blobFloats * 4}).`);
  const blob = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  for (const [k, v] of Object.entries(params)) {
    if (!(k in json.params)) throw new AnnealError('ANNEAL_ERR_RESUME', `checkpoint in ${dir} has no parameter '${k}': it belongs to a different model.`);
    decodeInto(v, json.params[k], blob, `params.${k}`);
  }
  for (const [name, encoded] of Object.entries(json.states)) {
    if (!states.has(name)) throw new AnnealError('ANNEAL_ERR_RESUME', `checkpoint in ${dir} has state for plugin '${name}', which is not in this run's plan.`);
    states.set(name, decodeInto(states.get(name), encoded, blob, `states.${name}`));
  }
  const carry = json.carry ? Object.fromEntries(Object.entries(json.carry).map(([k, v]) => [k, decodeInto(undefined, v, blob, `carry.${k}`) as tf.Tensor])) : undefined;
  return { position: json.position, extra: json.extra, ...(carry ? { carry } : {}) };
}
