import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnealError } from '../../errors/anneal-error.js';
import { ATTR, savedModelBytes, type GraphNode, type OpAttr } from './saved-model.js';

/**
 * Graph capture on the tensorflow backend: run a pure tensor function once eagerly while recording every
 * TensorFlow op tfjs-node executes for it (forward, tfjs's gradient ops, updates: all of them pass through the
 * binding's `executeOp`), write the record as a TensorFlow graph, load it into one TF_Session, and from then on
 * run the whole function as one session call instead of one eager call per op.
 *
 * The function must be pure in its inputs: tensors it uploads while it runs (tf.scalar(0.01), shape tensors) are
 * baked into the graph as constants, so everything that changes from call to call must come in as an input.
 * That includes tfjs's tf.randomNormal / tf.randomUniform, which draw on the host and upload: inside the function
 * they would be drawn once and baked. Draw outside and pass the values in (as the noise plugin's values are).
 * Refused with ANNEAL_ERR_GRAPH_CAPTURE, naming what to change: a host read inside the function (dataSync: the
 * graph cannot stop for JS), a random or stateful op (it would draw differently from the eager op), a tensor
 * from outside the function that is not among the inputs, an input of a dtype other than float32/int32/bool.
 */

interface OutputMetadata {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

interface Binding {
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_BOOL: number;
  readonly TF_INT64: number;
  createTensor(shape: number[], dtype: number, values: ArrayLike<number>): number;
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], outputs: number): OutputMetadata[];
  tensorDataSync(id: number): ArrayLike<number>;
  loadSavedModel(path: string, tags: string): number;
  deleteSavedModel(id: number): void;
  runSavedModel(id: number, inputIds: number[], inputNames: string, outputNames: string): OutputMetadata[];
}

interface NodeBackend {
  binding: Binding;
  tensorMap: { get(dataId: object): { values: unknown } | undefined };
  move(dataId: object, ...rest: unknown[]): void;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(metadata: OutputMetadata): tf.Tensor;
}

/** Ops that draw random numbers or keep state: they cannot be replayed from a graph with the same values. */
const REFUSED_OPS = /Random|Multinomial|Shuffle|Assign|Variable|Summary|Print|Stateful/;

const TAG = 'anneal-capture';

/**
 * Type attributes tfjs-node leaves out because TensorFlow's eager runtime infers them from the inputs, but a graph's
 * NodeDef must carry: op → [attribute, the input whose dtype it is]. (tfjs-node's ExpandDims passes no attributes.)
 */
const INFERRED_TYPE_ATTRS: Readonly<Record<string, readonly (readonly [string, number])[]>> = { ExpandDims: [['T', 0], ['Tdim', 1]] };

export interface CapturedGraph {
  /** The recorded TensorFlow ops (placeholders, constants and identity outputs not counted). */
  readonly opCount: number;
  /** How many late inputs (CaptureScope.input) the function declared; `run` takes that many, in that order. */
  readonly lateInputCount: number;
  /**
   * Runs the captured function on new inputs (same shapes and dtypes) as one TensorFlow session call; `late` are
   * new values for the late inputs, in the order the recording call declared them.
   */
  run(inputs: readonly tf.Tensor[], late?: readonly tf.Tensor[]): tf.Tensor[];
  /** Frees the TF_Session. */
  dispose(): void;
}

export interface Capture {
  /** The eager outputs of the recording call (the caller owns them). */
  readonly outputs: tf.Tensor[];
  readonly graph: CapturedGraph;
}

let capturing = 0;

/** Whether a captureGraph call is recording right now (ops layers pick their graph-friendly form then). */
export function isCapturingGraph(): boolean {
  return capturing > 0;
}

/** Whether captureGraph can run here (the tensorflow backend, tfjs-node's binding). */
export function canCaptureGraph(): boolean {
  return tf.getBackend() === 'tensorflow' && typeof (tf.backend() as unknown as Partial<NodeBackend>).binding?.runSavedModel === 'function';
}

function refuse(message: string): never {
  throw new AnnealError('ANNEAL_ERR_GRAPH_CAPTURE', message);
}

function dtypeCode(b: Binding, dtype: tf.DataType): number {
  if (dtype === 'float32') return b.TF_FLOAT;
  if (dtype === 'int32') return b.TF_INT32;
  if (dtype === 'bool') return b.TF_BOOL;
  return refuse(`an input of dtype '${dtype}' cannot be captured; pass float32, int32 or bool tensors`);
}

function constantBytes(b: Binding, dtype: number, values: ArrayLike<number>): Uint8Array {
  // An int64 upload (BlockLSTM's seq_len_max) comes as little-endian int32 halves, which are its bytes already.
  const typed = dtype === b.TF_FLOAT ? Float32Array.from(values) : dtype === b.TF_INT32 || dtype === b.TF_INT64 ? Int32Array.from(values) : dtype === b.TF_BOOL ? Uint8Array.from(values) : undefined;
  if (!typed) return refuse(`the function uploads a tensor of TensorFlow dtype ${dtype}; only float32, int32, int64 and bool constants can be captured`);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** Records one call of the binding: op nodes, and the graph name of every tensor handle they produce. */
class GraphRecorder {
  readonly nodes: GraphNode[] = [];
  opCount = 0;
  private constCount = 0;
  private readonly names = new Map<number, string>();
  private readonly uploads = new Map<number, { shape: number[]; dtype: number; values: ArrayLike<number> }>();
  private readonly dtypes = new Map<number, number>();

  constructor(private readonly b: Binding) {}

  placeholder(id: number, index: number, shape: readonly number[], dtype: number): void {
    const name = `input_${index}`;
    this.nodes.push({ name, op: 'Placeholder', inputs: [], attrs: [['dtype', { kind: 'op', attr: { name: 'dtype', type: ATTR.TYPE, value: dtype } }], ['shape', { kind: 'op', attr: { name: 'shape', type: ATTR.SHAPE, value: [...shape] } }]] });
    this.names.set(id, name);
    this.dtypes.set(id, dtype);
  }

  upload(id: number, shape: number[], dtype: number, values: ArrayLike<number>): void {
    this.uploads.set(id, { shape: [...shape], dtype, values: Array.from(values) });
    this.dtypes.set(id, dtype);
  }

  op(op: string, attrs: OpAttr[], inputIds: number[], outputs: readonly OutputMetadata[]): void {
    if (REFUSED_OPS.test(op)) refuse(`op '${op}' draws random numbers or keeps state; draw outside the captured function and pass the values as an input`);
    const name = `op_${this.opCount++}_${op}`;
    const inferred = (INFERRED_TYPE_ATTRS[op] ?? [])
      .filter(([attr, input]) => !attrs.some((a) => a.name === attr) && this.dtypes.has(inputIds[input]))
      .map(([attr, input]): OpAttr => ({ name: attr, type: ATTR.TYPE, value: this.dtypes.get(inputIds[input])! }));
    this.nodes.push({ name, op, inputs: inputIds.map((id) => this.nameOf(id)), attrs: [...attrs, ...inferred].map((a) => [a.name, { kind: 'op', attr: a }] as const) });
    outputs.forEach((m, i) => {
      this.names.set(m.id, i === 0 ? name : `${name}:${i}`);
      this.dtypes.set(m.id, m.dtype);
    });
  }

  /** Whether a handle is an input, an op output or an upload of this capture. */
  knows(id: number): boolean {
    return this.names.has(id) || this.uploads.has(id);
  }

  /** A handle TensorFlow freed: its id may be handed out again, so it must not keep its graph name. */
  forget(id: number): void {
    this.names.delete(id);
    this.uploads.delete(id);
    this.dtypes.delete(id);
  }

  nameOf(id: number): string {
    const known = this.names.get(id);
    if (known) return known;
    const up = this.uploads.get(id);
    if (!up) refuse('the function used a tensor made outside it that is not among its inputs; pass it as an input');
    const name = `const_${this.constCount++}`;
    this.nodes.push({ name, op: 'Const', inputs: [], attrs: [['dtype', { kind: 'op', attr: { name: 'dtype', type: ATTR.TYPE, value: up.dtype } }], ['value', { kind: 'tensor', dtype: up.dtype, shape: up.shape, content: constantBytes(this.b, up.dtype, up.values) }]] });
    this.names.set(id, name);
    return name;
  }
}

/**
 * Captures `fn` on `inputs` (see the file comment). The recording call runs eagerly and its outputs are
 * returned; `graph.run` replays it. Output i of `graph.run` corresponds to output i of `fn`.
 */
export interface CaptureOptions {
  /**
   * A tensor made before the capture that the function reads but was not given as an input (a model's constant
   * tables): 'refuse' (the default) or 'input', which makes it an extra input that every `graph.run` passes
   * again, the same tensor object (run refuses once it is disposed).
   */
  readonly outsideTensors?: 'refuse' | 'input';
}

/**
 * What the captured function can do besides computing: declare a tensor it makes while it runs (a dropout mask
 * drawn on the host for the shape the forward pass has reached) as a late input rather than a constant.
 */
export interface CaptureScope {
  /** Makes `t` (made inside the function, from host values) a placeholder; each `graph.run` passes a new value. */
  input<T extends tf.Tensor>(t: T): T;
}

export function captureGraph(fn: (inputs: tf.Tensor[], scope: CaptureScope) => tf.Tensor[], inputs: readonly tf.Tensor[], options: CaptureOptions = {}): Capture {
  if (!canCaptureGraph()) refuse(`graph capture needs the tensorflow backend (the backend is '${tf.getBackend()}'); build it with \`anneal backend install tensorflow\``);
  const backend = tf.backend() as unknown as NodeBackend;
  const real = backend.binding;
  const recorder = new GraphRecorder(real);
  const inputIds = backend.getInputTensorIds([...inputs]);
  if (new Set(inputIds).size < inputIds.length) {
    const i = inputIds.findIndex((id, k) => inputIds.indexOf(id) !== k);
    refuse(`inputs ${inputIds.indexOf(inputIds[i])} and ${i} share one buffer (variables made from one tensor, or assigned one), so the graph could not tell them apart; give each its own copy first (v.assign(tf.mul(v, 1)))`);
  }
  const signature = inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  inputs.forEach((t, i) => recorder.placeholder(inputIds[i], i, t.shape, dtypeCode(real, t.dtype)));

  // A plain object with the binding's native functions and TF_* codes, three of them wrapped (the native
  // object's properties are read-only, so it cannot be patched in place).
  const recording = Object.fromEntries(Object.getOwnPropertyNames(real).map((k) => [k, (real as unknown as Record<string, unknown>)[k]])) as unknown as Binding & { deleteTensor(id: number): void };
  const realDelete = (real as unknown as { deleteTensor(id: number): void }).deleteTensor.bind(real);
  Object.assign(recording, {
    createTensor: (shape: number[], dtype: number, values: ArrayLike<number>) => {
      const id = real.createTensor(shape, dtype, values);
      recorder.upload(id, shape, dtype, values);
      return id;
    },
    executeOp: (name: string, attrs: OpAttr[], ids: number[], n: number) => {
      const out = real.executeOp(name, attrs, ids, n);
      recorder.op(name, attrs, ids, out);
      return out;
    },
    tensorDataSync: () => refuse('the function reads a tensor back to JS (dataSync/arraySync); a captured graph cannot stop for host code: compute it with tensor ops, or read it after graph.run'),
    deleteTensor: (id: number) => {
      recorder.forget(id);
      realDelete(id);
    },
  });

  // tfjs-node hands values to TensorFlow on first use, so a tensor made before the capture and never used may
  // reach TensorFlow only now: it must not be baked as a constant. Tensors made inside are recorded here.
  const madeInside = new WeakSet<object>();
  const move = backend.move;
  const getInputTensorIds = backend.getInputTensorIds;
  backend.move = function (dataId: object, ...rest: unknown[]) {
    madeInside.add(dataId);
    return move.call(this, dataId, ...rest);
  };
  // Placeholders after `inputs`, in the order the function first used them: an outside tensor (passed again by
  // every run) or a late input (a new value from each run's `late`, by its declaration index).
  const extra: ({ kind: 'outside'; tensor: tf.Tensor } | { kind: 'late'; index: number; shape: number[]; dtype: tf.DataType })[] = [];
  const declared: object[] = [];
  const placed = new WeakSet<object>();
  const scope: CaptureScope = {
    input(t) {
      if (declared.includes(t.dataId)) refuse('a late input was declared twice');
      if (backend.tensorMap.get(t.dataId)?.values == null) refuse('a late input must be a tensor made from host values that the function has not used yet (tf.tensor(values) just before its first use)');
      dtypeCode(real, t.dtype);
      declared.push(t.dataId);
      return t;
    },
  };
  backend.getInputTensorIds = function (tensors: tf.Tensor[]) {
    // An outside tensor whose values reach TensorFlow only now is uploaded by this very call: tell it apart first.
    const firstUse = tensors.map((t) => this.tensorMap.get(t.dataId)?.values != null);
    const ids = getInputTensorIds.call(this, tensors);
    tensors.forEach((t, i) => {
      const late = declared.indexOf(t.dataId);
      if (late >= 0 && !placed.has(t.dataId)) {
        // Its upload was recorded as a constant by createTensor just now: make it a placeholder instead.
        placed.add(t.dataId);
        recorder.forget(ids[i]);
        recorder.placeholder(ids[i], inputs.length + extra.length, t.shape, dtypeCode(real, t.dtype));
        extra.push({ kind: 'late', index: late, shape: [...t.shape], dtype: t.dtype });
        return;
      }
      if (madeInside.has(t.dataId) || (!firstUse[i] && recorder.knows(ids[i]))) return;
      recorder.forget(ids[i]);
      if (options.outsideTensors !== 'input') refuse('the function used a tensor made outside it that is not among its inputs; pass it as an input');
      recorder.placeholder(ids[i], inputs.length + extra.length, t.shape, dtypeCode(real, t.dtype));
      extra.push({ kind: 'outside', tensor: t });
    });
    return ids;
  };

  let outputs: tf.Tensor[];
  let outputNames: string[];
  backend.binding = recording;
  capturing++;
  try {
    outputs = tf.tidy(() => fn([...inputs], scope));
    outputNames = backend.getInputTensorIds(outputs).map((id, i) => {
      const name = `output_${i}`;
      recorder.nodes.push({ name, op: 'Identity', inputs: [recorder.nameOf(id)], attrs: [['T', { kind: 'op', attr: { name: 'T', type: ATTR.TYPE, value: dtypeCode(real, outputs[i].dtype) } }]] });
      return name;
    });
  } finally {
    capturing--;
    backend.binding = real;
    delete (backend as Partial<NodeBackend>).move;
    delete (backend as Partial<NodeBackend>).getInputTensorIds;
  }

  const dir = mkdtempSync(join(tmpdir(), 'anneal-graph-'));
  let session: number;
  try {
    writeFileSync(join(dir, 'saved_model.pb'), savedModelBytes(recorder.nodes, TAG));
    session = real.loadSavedModel(dir, TAG);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (declared.length !== extra.filter((e) => e.kind === 'late').length) refuse('a late input was declared but never used by the function');
  const outside = extra.flatMap((e) => (e.kind === 'outside' ? [e.tensor] : []));
  const inputNames = [...inputs, ...extra].map((_, i) => `input_${i}`).join(',');
  const outputList = outputNames.join(',');
  let disposed = false;
  const graph: CapturedGraph = {
    opCount: recorder.opCount,
    lateInputCount: declared.length,
    run(next, late = []) {
      if (disposed) refuse('graph.run after dispose()');
      if (next.length !== signature.length) refuse(`graph.run got ${next.length} inputs; the graph was captured with ${signature.length}`);
      next.forEach((t, i) => {
        const s = signature[i];
        if (t.dtype !== s.dtype || t.shape.length !== s.shape.length || t.shape.some((d, j) => d !== s.shape[j])) {
          refuse(`graph.run input ${i} is ${t.dtype}[${t.shape.join(',')}]; the graph was captured with ${s.dtype}[${s.shape.join(',')}]: capture again for a new shape`);
        }
      });
      if (outside.some((t) => t.isDisposed)) refuse('a tensor made outside the function that the graph reads has been disposed since the capture; capture again');
      if (late.length !== declared.length) refuse(`graph.run got ${late.length} late inputs; the graph was captured with ${declared.length}`);
      const rest = extra.map((e) => {
        if (e.kind === 'outside') return e.tensor;
        const t = late[e.index];
        if (t.dtype !== e.dtype || t.shape.length !== e.shape.length || t.shape.some((d, j) => d !== e.shape[j])) {
          refuse(`graph.run late input ${e.index} is ${t.dtype}[${t.shape.join(',')}]; the graph was captured with ${e.dtype}[${e.shape.join(',')}]`);
        }
        return t;
      });
      const ids = backend.getInputTensorIds([...next, ...rest]);
      return real.runSavedModel(session, ids, inputNames, outputList).map((m) => backend.createOutputTensor(m));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      real.deleteSavedModel(session);
    },
  };
  return { outputs, graph };
}
