import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, type Batch, type DatasetInfo, type EvalSums, type ForwardContext, type MetricSpec, type Model, type Rng } from '@anneal/core';
import { NRAM_MODULES, applyBinary, applyUnary, fuzzyRead, fuzzyWrite, moduleTable } from './modules.js';

/**
 * The Neural Random-Access Machine (Kurach et al. 2016; paper-spec §4.1). Registers r_1..r_R are
 * distributions over {0..M−1} (initially the value 0); the memory is an M×M row-stochastic matrix (the
 * input memory one-hot). Each of T timesteps:
 *   1. the LSTM controller sees only P(r_j = 0) for every register;
 *   2. from its hidden state h one dense layer gives: for module i and each of its arguments, logits over
 *      {r_1..r_R, o_1..o_{i−1}} (a softmax; the argument is that mixture); for each register, logits over
 *      {r_1..r_R, o_1..o_Q} (its new value); and the willingness to finish f_t = σ(·);
 *   3. the 14 modules run in circuit order (READ first, WRITE last) with fuzzy application.
 * Halting: p_t = f_t Π_{s<t}(1 − f_s) for t < T, p_T = the rest. Loss: the expected NLL over the halting
 * time of the output cell, −Σ_t p_t log max(ℳ_t[out, y], floor), averaged over the batch.
 */
export interface NramOptions {
  readonly registers: number;
  readonly timesteps: number;
  readonly hidden: number;
  readonly initStd: number;
  readonly logFloor: number;
}

export interface NramDataInfo {
  readonly memorySize: number;
  readonly outputCell: number;
}

export const NRAM_METRICS: readonly MetricSpec[] = Object.freeze([
  { key: 'error', direction: 'min', combine: 'mean', percent: true, description: 'share of wrong output cells under argmax of the halting-weighted output distribution' },
  { key: 'solved', direction: 'max', combine: 'all', description: '1 when every example of the split is right (0 error), else 0' },
  { key: 'mean_loss', direction: 'min', combine: 'mean', description: 'expected NLL over the halting time per example' },
]);

export function readNramInfo(info: DatasetInfo): NramDataInfo {
  const memorySize = Number(info.memorySize);
  const outputCell = Number(info.outputCell ?? 2);
  if (!Number.isInteger(memorySize) || memorySize < 2) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model 'nram': the dataset must state memorySize (an integer ≥ 2; got ${String(info.memorySize)}), e.g. the list-k dataset.`);
  }
  if (!Number.isInteger(outputCell) || outputCell < 0 || outputCell >= memorySize) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model 'nram': outputCell = ${String(info.outputCell)} must be in 0..${memorySize - 1}.`);
  }
  return { memorySize, outputCell };
}

/**
 * The controller's softmax choices, all over the same R + Q candidates {r_1..r_R, o_1..o_Q}: one row per
 * module argument (module i may pick only r_1..r_R, o_1..o_{i−1}: the rest is masked out) then one row
 * per register (its new value). `available[row]` = how many leading candidates the row may pick.
 */
export function choiceRows(R: number): { name: string; available: number }[] {
  const Q = NRAM_MODULES.length;
  const args = NRAM_MODULES.flatMap((m, i) => Array.from({ length: m.arity }, (_, j) => ({ name: `${m.name}/${j + 1}`, available: R + i })));
  return [...args, ...Array.from({ length: R }, (_, j) => ({ name: `r${j + 1}`, available: R + Q }))];
}

/** Width of the controller's outputs: every choice row over R + Q candidates, and the finish gate. */
export function controllerOutputSize(R: number): number {
  return choiceRows(R).length * (R + NRAM_MODULES.length) + 1;
}

/** What one timestep chose and produced (for inspecting a trained controller): choice weights [b, rows, R + Q]. */
export type NramTrace = (step: { t: number; weights: tf.Tensor3D; registers: tf.Tensor3D; memory: tf.Tensor3D; finish: tf.Tensor2D }) => void;

export class NramModel implements Model {
  readonly params: Record<string, tf.Variable>;
  readonly sites = ['controller'] as const;
  readonly metrics = NRAM_METRICS;
  private readonly tables: (tf.Tensor2D | null)[];
  private readonly M: number;
  private readonly rows: number;
  private readonly mask: tf.Tensor1D;
  private readonly selectors: tf.Tensor3D[];
  private readonly registerSelector: tf.Tensor3D;
  private readonly placers: tf.Tensor3D[];

  constructor(readonly options: NramOptions, readonly info: NramDataInfo, rng: Rng) {
    const { registers: R, hidden: H, initStd } = options;
    this.M = info.memorySize;
    const normal = (rows: number, cols: number) => tf.tensor2d(rng.fillNormal(new Float32Array(rows * cols), 0, initStd), [rows, cols]);
    const lstmBias = new Float32Array(4 * H);
    lstmBias.fill(1, H, 2 * H); // forget-gate bias 1 (gate order i, f, o, g)
    const params: Record<string, tf.Variable> = {
      'controller/kernel': tf.variable(normal(R + H, 4 * H)),
      'controller/bias': tf.variable(tf.tensor1d(lstmBias)),
    };
    // All softmax choices come from one dense layer on h (rows × (R + Q) logits); the finish gate from another.
    const rows = choiceRows(R);
    const K = R + NRAM_MODULES.length;
    params['choices/kernel'] = tf.variable(normal(H, rows.length * K));
    params['choices/bias'] = tf.variable(tf.zeros([rows.length * K]));
    params['finish/kernel'] = tf.variable(normal(H, 1));
    params['finish/bias'] = tf.variable(tf.zeros([1]));
    this.params = params;
    this.rows = rows.length;
    const mask = new Float32Array(rows.length * K);
    rows.forEach((r, i) => mask.fill(-1e9, i * K + r.available, (i + 1) * K));
    this.mask = tf.keep(tf.tensor1d(mask));
    // Row selectors [1, 1, rows] (an argument's row) and [1, R, rows] (the register rows), applied by matmul:
    // slicing is slow on the cpu backend, a tiny matmul is not.
    const select = (first: number, n: number) => {
      const e = new Float32Array(n * rows.length);
      for (let j = 0; j < n; j++) e[j * rows.length + first + j] = 1;
      return tf.keep(tf.tensor3d(e, [1, n, rows.length]));
    };
    this.selectors = Array.from({ length: rows.length - R }, (_, j) => select(j, 1));
    this.registerSelector = select(rows.length - R, R);
    // Placement of module i's output into the candidate block: [1, R + Q, 1] one-hot at R + i.
    this.placers = NRAM_MODULES.map((_, i) => {
      const e = new Float32Array(K);
      e[R + i] = 1;
      return tf.keep(tf.tensor3d(e, [1, K, 1]));
    });
    this.tables = NRAM_MODULES.map((m) => (m.arity === 0 || m.name === 'READ' || m.name === 'WRITE' ? null : tf.keep(tf.tensor2d(moduleTable(m, this.M), [m.arity === 2 ? this.M * this.M : this.M, this.M]))));
  }

  /**
   * Runs T timesteps on a batch of memories int32 [b, M]. Returns the halting probabilities p_t [b, 1]
   * and the output-cell distribution after each timestep [b, M].
   */
  run(memory: tf.Tensor, ctx: ForwardContext, trace?: NramTrace): { halt: tf.Tensor2D[]; output: tf.Tensor2D[] } {
    const { registers: R, hidden: H, timesteps: T } = this.options;
    const M = this.M;
    const b = memory.shape[0];
    const p = this.params;
    let mem = tf.oneHot(tf.cast(memory, 'int32') as tf.Tensor2D, M).toFloat() as tf.Tensor3D;
    const zero = tf.oneHot(tf.zeros([b], 'int32') as tf.Tensor1D, M).toFloat() as tf.Tensor2D;
    const constants: Record<string, tf.Tensor2D> = { ZERO: zero, ONE: tf.oneHot(tf.fill([b], 1 % M, 'int32') as tf.Tensor1D, M).toFloat() as tf.Tensor2D, TWO: tf.oneHot(tf.fill([b], 2 % M, 'int32') as tf.Tensor1D, M).toFloat() as tf.Tensor2D };
    let regs = tf.tile(tf.reshape(zero, [b, 1, M]), [1, R, 1]) as tf.Tensor3D;
    let h = tf.zeros([b, H]) as tf.Tensor2D;
    let c = tf.zeros([b, H]) as tf.Tensor2D;
    let running = tf.ones([b, 1]) as tf.Tensor2D;
    const halt: tf.Tensor2D[] = [];
    const output: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      // Controller: input P(r_j = 0) only.
      const x = tf.reshape(tf.slice(regs, [0, 0, 0], [b, R, 1]), [b, R]);
      const z = tf.add(tf.matMul(tf.concat([x, h], 1), p['controller/kernel']), p['controller/bias']);
      const [zi, zf, zo, zg] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      h = ctx.site('controller', tf.mul(tf.sigmoid(zo), tf.tanh(c))) as tf.Tensor2D;
      const K = R + NRAM_MODULES.length;
      const logits = tf.add(tf.matMul(h, p['choices/kernel']), tf.add(p['choices/bias'], this.mask));
      const weights = tf.softmax(tf.reshape(logits, [b, this.rows, K])) as tf.Tensor3D;
      // Candidates {r_1..r_R, o_1..o_Q}: registers first, module outputs placed as they are computed.
      let cands = tf.concat([regs, tf.zeros([b, NRAM_MODULES.length, M])], 1) as tf.Tensor3D;
      let row = 0;
      const arg = (): tf.Tensor2D => tf.reshape(tf.matMul(tf.matMul(this.selectors[row++], weights), cands), [b, M]) as tf.Tensor2D;
      NRAM_MODULES.forEach((m, i) => {
        let o: tf.Tensor2D;
        if (m.arity === 0) o = constants[m.name];
        else {
          const a = arg();
          const a2 = m.arity === 2 ? arg() : a;
          if (m.name === 'READ') o = fuzzyRead(a, mem);
          else if (m.name === 'WRITE') {
            mem = fuzzyWrite(a, a2, mem);
            o = zero;
          } else if (m.arity === 1) o = applyUnary(a, this.tables[i]!);
          else o = applyBinary(a, a2, this.tables[i]!);
        }
        cands = tf.add(cands, tf.matMul(this.placers[i], tf.reshape(o, [b, 1, M]))) as tf.Tensor3D;
      });
      regs = tf.matMul(tf.matMul(this.registerSelector, weights), cands) as tf.Tensor3D;
      const f = tf.sigmoid(tf.add(tf.matMul(h, p['finish/kernel']), p['finish/bias'])) as tf.Tensor2D;
      const pt = t < T - 1 ? (tf.mul(f, running) as tf.Tensor2D) : running;
      running = tf.mul(running, tf.sub(1, f)) as tf.Tensor2D;
      halt.push(pt);
      trace?.({ t, weights, registers: regs, memory: mem, finish: f });
      output.push(tf.reshape(tf.slice(mem, [0, this.info.outputCell, 0], [b, 1, M]), [b, M]) as tf.Tensor2D);
    }
    return { halt, output };
  }

  /** Per-example expected NLL over the halting time [b]. */
  private exampleLoss(batch: Batch, ctx: ForwardContext): { nll: tf.Tensor1D; expected: tf.Tensor2D } {
    const { halt, output } = this.run(batch.memory, ctx);
    const target = tf.oneHot(tf.cast(batch.answer, 'int32') as tf.Tensor1D, this.M).toFloat();
    let nll: tf.Tensor = tf.zeros([batch.memory.shape[0], 1]);
    let expected: tf.Tensor = tf.zerosLike(output[0]);
    for (let t = 0; t < halt.length; t++) {
      const prob = tf.sum(tf.mul(output[t], target), 1, true);
      nll = tf.sub(nll, tf.mul(halt[t], tf.log(tf.maximum(prob, this.options.logFloor))));
      expected = tf.add(expected, tf.mul(halt[t], output[t]));
    }
    return { nll: tf.reshape(nll, [-1]) as tf.Tensor1D, expected: expected as tf.Tensor2D };
  }

  loss(batch: Batch, ctx: ForwardContext): tf.Scalar {
    return tf.mean(this.exampleLoss(batch, ctx).nll) as tf.Scalar;
  }

  evaluate(batch: Batch, ctx: ForwardContext): EvalSums {
    const { nll, expected } = this.exampleLoss(batch, ctx);
    const n = tf.scalar(nll.shape[0], 'float32');
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(expected, 1), tf.cast(batch.answer, 'int32')), 'float32')) as tf.Scalar;
    return {
      error: { sum: tf.sub(n, correct) as tf.Scalar, count: n },
      solved: { sum: correct, count: n },
      mean_loss: { sum: tf.sum(nll) as tf.Scalar, count: n },
    };
  }

  describe(): Readonly<Record<string, unknown>> {
    const paramCount = Object.values(this.params).reduce((s, v) => s + v.size, 0);
    return { memorySize: this.M, registers: this.options.registers, timesteps: this.options.timesteps, hidden: this.options.hidden, modules: NRAM_MODULES.map((m) => m.name), paramCount };
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    tf.dispose(this.tables.filter((t): t is tf.Tensor2D => t !== null));
    tf.dispose([this.mask, ...this.selectors, this.registerSelector, ...this.placers]);
  }
}
