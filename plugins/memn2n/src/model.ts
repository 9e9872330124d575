import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, CLASSIFICATION_METRICS, classificationSums, type Batch, type EvalSums, type ForwardContext, type Model, type ParamMap, type Rng } from '@anneal/core';
import { autodiffBags } from './autodiff-bags.js';
import type { MemN2NDataInfo } from './data-info.js';
import { positionEncoding } from './position-encoding.js';

/**
 * End-To-End Memory Network (Sukhbaatar et al. 2015) as used by Neelakantan et al. 2015 §4.2:
 * K hops (3), embedding size d (20), adjacent weight tying, position encoding (reference-code form),
 * temporal encoding via time words, nil word held at 0, summed cross-entropy.
 *
 * Tying with K hops uses K+1 distinct [V, d] matrices T_0..T_K (one row per token):
 *   A^1 = B = T_0,   C^k = A^{k+1} = T_k (k = 1..K),   W = (C^K)^T = T_K^T.
 * Their parameter names are "embed/A1" (= B), "embed/C1" (= A2), ..., "embed/C<K>" (= W^T).
 *
 * Nil word (index 0): every use of an embedding matrix goes through a straight-through nil mask: the
 * forward value has row 0 set to 0, while the gradient w.r.t. the matrix is passed through unchanged.
 * This is exactly the reference code's behaviour (its nil column is 0 at every forward pass, because it is
 * zeroed after every update, yet its gradient is computed and counts in the per-matrix clipping norm);
 * only the stored row-0 values differ (they drift and are never used). The optional param transform
 * `memn2n-zero-nil` (post-update) also resets the stored rows to 0, if a tidy parameter map is wanted.
 */

export interface MemN2NOptions {
  readonly hops: number;
  readonly embeddingDim: number;
  readonly initStd: number;
  readonly positionEncoding: boolean;
  /** Exclude empty memory slots from the attention softmax (the reference code does not: empty slots score 0). */
  readonly maskEmptyMemories: boolean;
  /** Attention when the phase gives none: 'softmax' (default) or 'linear'. */
  readonly attention: 'softmax' | 'linear';
  /**
   * 'manual' (default): the loss is one custom-gradient op with a hand-written backward pass (measured
   * 4.6–9× faster than autodiff on wasm, ≈ 100× on cpu: plugins/memn2n/README.md;
   * forward transforms at the hop sites are not allowed). 'autodiff': tfjs autodiff through every op
   * (any forward transform; slow).
   */
  readonly gradient: 'manual' | 'autodiff';
}

interface Forward {
  readonly logits: tf.Tensor2D;
  /** E_t = Σ_j l_j ⊙ T_t x_ij for t = 0..K, [b, M, d] each. */
  readonly E: tf.Tensor3D[];
  /** u_1..u_{K+1}, [b, d] each. */
  readonly us: tf.Tensor2D[];
  /** Attention weights of hops 1..K, [b, M] each. */
  readonly ps: tf.Tensor2D[];
  readonly mode: 'softmax' | 'linear';
}

/** The attention in force for a forward pass: phase option, else the model default. */
export function attentionMode(ctx: ForwardContext, fallback: 'softmax' | 'linear'): 'softmax' | 'linear' {
  const a = ctx.phaseOptions?.attention;
  if (a === undefined) return fallback;
  if (a === 'softmax' || a === 'linear') return a;
  throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model 'memn2n': phase option attention = ${JSON.stringify(a)} is not allowed; it must be 'softmax' or 'linear'.`, {
    key: 'attention',
    value: a,
  });
}

/** Float32 views of the K+1 matrices and the batch ids, for the embedding bags computed in plain JS. */
interface BagInputs {
  readonly T: Float32Array[]; // [V, d] each (raw values; the nil row is skipped, i.e. read as 0)
  readonly x: Int32Array; // [b·M·J]
  readonly q: Int32Array; // [b·J]
  readonly b: number;
}

export class MemN2N implements Model {
  readonly params: ParamMap;
  readonly metrics = CLASSIFICATION_METRICS;
  readonly sites: readonly string[];
  /** The hand-written backward pass reads values back to JS, which a captured graph cannot stop for. */
  get graphStepUnsupported(): string | undefined {
    return this.options.gradient === 'manual' ? "its hand-written backward pass (gradient: 'manual', the default) reads values back to JS; set the model config gradient: 'autodiff'" : undefined;
  }
  private readonly weights: tf.Variable[];
  private readonly peValues: Float32Array; // [J, d]
  private readonly pe: tf.Tensor2D; // [J, d]
  private readonly peAll: tf.Tensor2D; // [J, (K+1)·d]
  private readonly nilMask: tf.Tensor2D; // [V, 1]: 0 at the nil row, else 1
  private readonly stMask: (w: tf.Tensor) => tf.Tensor;

  constructor(
    readonly options: MemN2NOptions,
    readonly data: MemN2NDataInfo,
    rng: Rng,
  ) {
    const { hops: K, embeddingDim: d, initStd } = options;
    const { vocabSize: V, sentenceSize: J, nilIndex } = data;
    if (V < 2 || J < 1) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model 'memn2n': bad data sizes vocabSize=${V}, sentenceSize=${J}`, { V, J });
    if (nilIndex >= V) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model 'memn2n': nilIndex ${nilIndex} is outside the vocabulary (${V})`, { nilIndex, V });
    const names = ['embed/A1', ...Array.from({ length: K }, (_, k) => `embed/C${k + 1}`)];
    const params: Record<string, tf.Variable> = {};
    this.weights = names.map((name) => {
      const values = rng.fillNormal(new Float32Array(V * d), 0, initStd);
      values.fill(0, nilIndex * d, (nilIndex + 1) * d);
      const init = tf.tensor2d(values, [V, d]);
      const v = tf.variable(init, true);
      init.dispose();
      params[name] = v;
      return v;
    });
    this.params = Object.freeze(params);
    this.sites = Object.freeze(Array.from({ length: K }, (_, k) => `hop/${k + 1}`));
    this.peValues = options.positionEncoding ? positionEncoding(J, d) : new Float32Array(J * d).fill(1);
    this.pe = tf.keep(tf.tensor2d(this.peValues, [J, d]));
    this.peAll = tf.keep(tf.tile(this.pe, [1, K + 1]) as tf.Tensor2D);
    const mask = new Float32Array(V).fill(1);
    mask[nilIndex] = 0;
    this.nilMask = tf.keep(tf.tensor2d(mask, [V, 1]));
    const nilMask = this.nilMask;
    this.stMask = tf.customGrad(((w: tf.Tensor) => ({
      value: tf.mul(w, nilMask),
      gradFunc: (dy: tf.Tensor) => dy,
    })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor) => tf.Tensor;
  }

  private checkBatch(batch: Batch): { stories: tf.Tensor3D; queries: tf.Tensor2D; answers: tf.Tensor1D; mask?: tf.Tensor2D } {
    const { memorySize: M, sentenceSize: J } = this.data;
    const stories = batch.stories as tf.Tensor3D;
    const queries = batch.queries as tf.Tensor2D;
    const answers = batch.answers as tf.Tensor1D;
    if (!stories || !queries || !answers) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', "model 'memn2n': the batch needs 'stories', 'queries' and 'answers' (use the 'babi' dataset)", {});
    }
    if (stories.rank !== 3 || stories.shape[1] !== M || stories.shape[2] !== J || queries.shape[1] !== J || queries.shape[0] !== stories.shape[0]) {
      throw new AnnealError(
        'ANNEAL_ERR_CONFIG_VALUE',
        `model 'memn2n': batch shapes stories ${JSON.stringify(stories.shape)} / queries ${JSON.stringify(queries.shape)} do not match memorySize ${M}, sentenceSize ${J}`,
        {},
      );
    }
    let mask: tf.Tensor2D | undefined;
    if (this.options.maskEmptyMemories) {
      mask = batch.memoryMask as tf.Tensor2D | undefined;
      if (!mask) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', "model 'memn2n': maskEmptyMemories needs the batch's 'memoryMask'", {});
    }
    return { stories, queries, answers, mask };
  }

  private bagInputs(batch: Batch, T: readonly tf.Tensor[]): BagInputs {
    const { stories, queries } = this.checkBatch(batch);
    return {
      T: T.map((t) => t.dataSync() as Float32Array),
      x: stories.dataSync() as Int32Array,
      q: queries.dataSync() as Int32Array,
      b: stories.shape[0],
    };
  }

  /**
   * Embedding bags in plain JS (far fewer, smaller temporaries than gather → mul → sum on the tfjs CPU
   * backend): E_t[b,i] = Σ_j l_j ⊙ T_t[x_bij] for t = 0..K and u¹[b] = Σ_j l_j ⊙ T_0[q_bj], skipping nil.
   */
  private bagsForward(inp: BagInputs): { E: tf.Tensor3D[]; u1: tf.Tensor2D } {
    const { hops: K, embeddingDim: d } = this.options;
    const { memorySize: M, sentenceSize: J, nilIndex, vocabSize: V } = this.data;
    const { b, x, q } = inp;
    const pe = this.peValues;
    const rows = b * M;
    const E: tf.Tensor3D[] = [];
    for (let t = 0; t <= K; t++) {
      const W = inp.T[t];
      const out = new Float32Array(rows * d);
      for (let r = 0; r < rows; r++) {
        const o = r * d;
        for (let j = 0; j < J; j++) {
          const id = x[r * J + j];
          if (id === nilIndex) continue;
          if (!(id >= 0 && id < V)) throw new RangeError(`memn2n: word id ${id} outside the vocabulary (${V})`);
          const w = id * d;
          const l = j * d;
          for (let c = 0; c < d; c++) out[o + c] += pe[l + c] * W[w + c];
        }
      }
      E.push(tf.tensor3d(out, [b, M, d]));
    }
    const W0 = inp.T[0];
    const u = new Float32Array(b * d);
    for (let r = 0; r < b; r++) {
      for (let j = 0; j < J; j++) {
        const id = q[r * J + j];
        if (id === nilIndex) continue;
        if (!(id >= 0 && id < V)) throw new RangeError(`memn2n: word id ${id} outside the vocabulary (${V})`);
        for (let c = 0; c < d; c++) u[r * d + c] += pe[j * d + c] * W0[id * d + c];
      }
    }
    return { E, u1: tf.tensor2d(u, [b, d]) };
  }

  /** The same bags in tfjs ops on the straight-through nil-masked matrices, for tfjs autodiff (gradient: 'autodiff'). */
  private bagsAutodiff(batch: Batch): { E: tf.Tensor3D[]; u1: tf.Tensor2D; TK: tf.Tensor2D } {
    const { stories, queries } = this.checkBatch(batch);
    const T = this.weights.map((w) => this.stMask(w) as tf.Tensor2D);
    return { ...autodiffBags({ T, pe: this.pe, peAll: this.peAll, stories, queries }), TK: T[this.options.hops] };
  }

  /**
   * The hops and the answer logits, from the memory bags E_0..E_K, the question embedding u¹ and the
   * (nil-masked) output matrix T_K. With `identitySites` every forward site must return its input
   * unchanged (the manual gradient cannot see through a forward transform).
   */
  private hops(E: readonly tf.Tensor3D[], u1: tf.Tensor2D, TK: tf.Tensor2D, batch: Batch, ctx: ForwardContext, identitySites: boolean): Forward {
    const { hops: K, embeddingDim: d } = this.options;
    const { memorySize: M } = this.data;
    const { mask } = this.checkBatch(batch);
    const b = u1.shape[0];
    const mode = attentionMode(ctx, this.options.attention);
    let u = u1;
    const us: tf.Tensor2D[] = [u];
    const ps: tf.Tensor2D[] = [];
    for (let k = 1; k <= K; k++) {
      let scores = tf.reshape(tf.matMul(E[k - 1], tf.reshape(u, [b, d, 1])), [b, M]) as tf.Tensor2D; // u·m_i
      let p: tf.Tensor2D;
      if (mode === 'linear') {
        p = mask ? tf.mul(scores, mask) : scores;
      } else {
        if (mask) scores = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
        p = tf.softmax(scores);
      }
      ps.push(p);
      const o = tf.reshape(tf.matMul(tf.reshape(p, [b, 1, M]), E[k]), [b, d]); // Σ_i p_i c_i
      const next = tf.add(u, o) as tf.Tensor2D;
      const site = ctx.site(`hop/${k}`, next) as tf.Tensor2D;
      if (identitySites && site !== next) {
        throw new AnnealError(
          'ANNEAL_ERR_CONFIG_VALUE',
          `model 'memn2n': a forward transform is attached to site hop/${k}, but the model computes its gradient by hand (config gradient: 'manual'). Set the model config gradient: 'autodiff' to train with forward transforms.`,
          { site: `hop/${k}` },
        );
      }
      u = site;
      us.push(u);
    }
    const logits = tf.matMul(u, TK, false, true) as tf.Tensor2D; // W u, W = (C^K)^T
    return { logits, E: [...E], us, ps, mode };
  }

  /** Answer logits [b, V] and the attention weights of every hop ([b, M] each); no gradient. */
  forward(batch: Batch, ctx: ForwardContext): { logits: tf.Tensor2D; attention: tf.Tensor2D[] } {
    const K = this.options.hops;
    const { E, u1 } = this.bagsForward(this.bagInputs(batch, this.weights));
    const TK = tf.mul(this.weights[K], this.nilMask) as tf.Tensor2D;
    const f = this.hops(E, u1, TK, batch, ctx, false);
    return { logits: f.logits, attention: f.ps };
  }

  private lossSumOf(logits: tf.Tensor2D, answers: tf.Tensor1D): tf.Scalar {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(answers, this.data.vocabSize);
    return tf.neg(tf.sum(tf.mul(onehot, logp))) as tf.Scalar;
  }

  /** Cross-entropy summed (not averaged) over the batch, as in the reference code. */
  loss(batch: Batch, ctx: ForwardContext): tf.Scalar {
    if (this.options.gradient === 'autodiff') {
      const { E, u1, TK } = this.bagsAutodiff(batch);
      const f = this.hops(E, u1, TK, batch, ctx, false);
      return this.lossSumOf(f.logits, batch.answers as tf.Tensor1D);
    }
    return this.manualLoss(batch, ctx);
  }

  /**
   * The summed loss as one custom-gradient op over the K+1 matrices: forward as in `forward`, backward
   * written out by hand (softmax-CE → output matrix → hops in reverse → scatter-add into the rows used).
   * The gradient w.r.t. each raw matrix is the gradient w.r.t. its nil-masked value (straight-through):
   * the nil row gets the gradient it would have at value 0, as in the reference code.
   */
  private manualLoss(batch: Batch, ctx: ForwardContext): tf.Scalar {
    const { hops: K, embeddingDim: d } = this.options;
    const { memorySize: M, sentenceSize: J, vocabSize: V } = this.data;
    const answers = batch.answers as tf.Tensor1D;
    const nilMask = this.nilMask;
    const pe = this.peValues;
    let inp: BagInputs | null = null;
    const op = tf.customGrad(((...args: unknown[]) => {
      const save = args.pop() as (ts: tf.Tensor[]) => void;
      const W = args as tf.Tensor2D[];
      inp = this.bagInputs(batch, W);
      const { E, u1 } = this.bagsForward(inp);
      const TK = tf.mul(W[K], nilMask) as tf.Tensor2D;
      const f = this.hops(E, u1, TK, batch, ctx, true);
      const logp = tf.logSoftmax(f.logits);
      const onehot = tf.oneHot(answers, V);
      const value = tf.neg(tf.sum(tf.mul(onehot, logp))) as tf.Scalar;
      save([TK, logp, onehot, ...f.E, ...f.us, ...f.ps]);
      const mode = f.mode;
      const mask = this.options.maskEmptyMemories ? (batch.memoryMask as tf.Tensor2D) : undefined;
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [TKs, lp, oh] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const E = saved.slice(3, 3 + K + 1) as tf.Tensor3D[];
          const us = saved.slice(4 + K, 4 + K + K + 1) as tf.Tensor2D[];
          const ps = saved.slice(5 + 2 * K, 5 + 3 * K) as tf.Tensor2D[];
          const b = lp.shape[0];
          const dz = tf.mul(tf.sub(tf.exp(lp), oh), dy); // [b, V]
          const dOut = tf.matMul(dz, us[K], true, false) as tf.Tensor2D; // [V, d]: logits = u T_K^T
          let du = tf.matMul(dz, TKs) as tf.Tensor2D; // [b, d]
          const dE: (tf.Tensor3D | null)[] = new Array(K + 1).fill(null);
          const acc = (t: number, g: tf.Tensor3D): void => {
            dE[t] = dE[t] ? (tf.add(dE[t]!, g) as tf.Tensor3D) : g;
          };
          for (let k = K; k >= 1; k--) {
            const p = ps[k - 1];
            const uk = us[k - 1];
            // o_k = Σ_i p_i E_k,i ;  u_{k+1} = u_k + o_k
            acc(k, tf.matMul(tf.reshape(p, [b, M, 1]), tf.reshape(du, [b, 1, d])) as tf.Tensor3D);
            const dp = tf.reshape(tf.matMul(E[k], tf.reshape(du, [b, d, 1])), [b, M]);
            let ds: tf.Tensor;
            if (mode === 'linear') ds = mask ? tf.mul(dp, mask) : dp;
            else ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(p, dp), 1, true)));
            // s_i = E_{k-1},i · u_k
            acc(k - 1, tf.matMul(tf.reshape(ds, [b, M, 1]), tf.reshape(uk, [b, 1, d])) as tf.Tensor3D);
            du = tf.add(du, tf.reshape(tf.matMul(tf.reshape(ds, [b, 1, M]), E[k - 1]), [b, d])) as tf.Tensor2D;
          }
          // Scatter-add in JS: dT_t[x_bij] += l_j ⊙ dE_t[b,i] (nil rows included: straight-through),
          // and dT_0[q_bj] += l_j ⊙ du¹[b].
          const { x, q } = inp!;
          const rows = b * M;
          const grads: tf.Tensor2D[] = [];
          for (let t = 0; t <= K; t++) {
            const g = dE[t]!.dataSync() as Float32Array;
            const out = new Float32Array(V * d);
            for (let r = 0; r < rows; r++) {
              const o = r * d;
              for (let j = 0; j < J; j++) {
                const w = x[r * J + j] * d;
                const l = j * d;
                for (let c = 0; c < d; c++) out[w + c] += pe[l + c] * g[o + c];
              }
            }
            if (t === 0) {
              const g1 = du.dataSync() as Float32Array;
              for (let r = 0; r < b; r++) {
                for (let j = 0; j < J; j++) {
                  const w = q[r * J + j] * d;
                  for (let c = 0; c < d; c++) out[w + c] += pe[j * d + c] * g1[r * d + c];
                }
              }
            }
            const gt = tf.tensor2d(out, [V, d]);
            grads.push(t === K ? (tf.add(gt, dOut) as tf.Tensor2D) : gt);
          }
          return grads;
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return (op as unknown as (...w: tf.Tensor[]) => tf.Scalar)(...this.weights);
  }

  evaluate(batch: Batch, ctx: ForwardContext): EvalSums {
    const { logits } = this.forward(batch, ctx);
    const answers = batch.answers as tf.Tensor1D;
    const pred = tf.argMax(logits, 1);
    const correct = tf.sum(tf.cast(tf.equal(pred, answers), 'float32')) as tf.Scalar;
    return classificationSums(correct, answers.shape[0], this.lossSumOf(logits, answers));
  }

  describe(): Readonly<Record<string, unknown>> {
    const { hops: K, embeddingDim: d } = this.options;
    const { vocabSize: V, memorySize: M, sentenceSize: J } = this.data;
    return Object.freeze({
      family: 'memn2n',
      hops: K,
      embeddingDim: d,
      vocabSize: V,
      memorySize: M,
      sentenceSize: J,
      tying: 'adjacent (A1=B, A(k+1)=C(k), W=C(K)^T)',
      matrices: Object.keys(this.params).map((n) => `${n} [${V}, ${d}]`),
      parameters: (K + 1) * V * d,
      positionEncoding: this.options.positionEncoding ? 'reference code form' : 'off (bag of words)',
      attention: this.options.attention,
      maskEmptyMemories: this.options.maskEmptyMemories,
      nil: 'row 0 zero in every forward pass (straight-through mask)',
      loss: 'cross-entropy summed over the batch',
    });
  }

  dispose(): void {
    for (const w of this.weights) w.dispose();
    this.pe.dispose();
    this.peAll.dispose();
    this.nilMask.dispose();
  }
}
