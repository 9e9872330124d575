import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ExecutionPlan, ForwardContext } from '@anneal/core';
import { judgeUpdate, UPDATE_TOLERANCE, type UpdateCase, type UpdateDiff, type UpdateVerdict } from './update-check.js';

/**
 * The correctness check of `npm run bench -- --peers`: before any timed step, every contestant computes the
 * loss and the global gradient norm (before clipping) of batch 0 at the same weights — anneal's initial
 * weights, which the first anneal contestant writes for the peers beside the batches — and the gradient norm
 * of every parameter by anneal's name. The peers' values are compared with that contestant's (the reference);
 * the other anneal backends are compared with it too. This checks the forward pass and every parameter's
 * gradient of each peer's model. The update check (update-check.ts) then compares the parameters after one step
 * from those weights on batch 0 without the noise: the clip, the optimizer and its learning rate.
 */
export interface InitCheck {
  readonly loss: number;
  readonly gradNorm: number;
  /** ‖∂loss/∂θ‖ per parameter, by anneal's parameter name. */
  readonly gradNorms?: Readonly<Record<string, number>>;
  /** The parameters after one noise-free step against the reference's, one per update case (update-check.ts); the reference's own have diff 0. */
  readonly updates?: readonly Readonly<Record<string, UpdateDiff>>[];
  /** The reference only: its update cases, in the order of `updates`. */
  readonly updateCases?: readonly UpdateCase[];
}

/** Relative tolerance on both values (float32 forward and backward in different frameworks and op orders). */
export const CHECK_TOLERANCE = 1e-4;

const CTX: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };

/** Loss and global gradient norm of the plan's model at its current weights on one batch (no update). */
export function initCheck(plan: ExecutionPlan, batch: Batch): InitCheck {
  const model = plan.model.instance;
  const vars = Object.values(model.params);
  const names = Object.keys(model.params);
  const { value: loss, grads } = tf.tidy(() =>
    tf.variableGrads(() => {
      const out = model.loss(batch, CTX);
      if (out instanceof tf.Tensor) return out;
      tf.dispose(Object.values(out.carry));
      return out.loss;
    }, vars),
  );
  // The sums of squares in float64 on the host, as the peers take them: a float32 sum over the 2 M entries of the
  // PTB softmax on wasm was 5e-3 off.
  const squares = names.map((n) => (grads[model.params[n].name].dataSync() as Float32Array).reduce((a, g) => a + g * g, 0));
  const result = {
    loss: loss.dataSync()[0],
    gradNorm: Math.sqrt(squares.reduce((a, b) => a + b, 0)),
    gradNorms: Object.fromEntries(names.map((n, i) => [n, Math.sqrt(squares[i])])),
  };
  tf.dispose([loss, ...Object.values(grads)]);
  return result;
}

export interface ExportedParam {
  readonly file: string;
  readonly dtype: 'float32';
  readonly shape: readonly number[];
}

/** Writes every parameter of the plan's model as raw little-endian float32 (name → file) for the peers. */
export function exportParams(plan: ExecutionPlan, dir: string, prefix: string): Record<string, ExportedParam> {
  const params = plan.model.instance.params;
  return exportValues(Object.fromEntries(Object.entries(params).map(([n, v]) => [n, v.dataSync() as Float32Array])), plan, dir, prefix);
}

/** Writes values shaped like the plan's parameters (e.g. the parameters after a step) as exportParams does. */
export function exportValues(values: Readonly<Record<string, Float32Array>>, plan: ExecutionPlan, dir: string, prefix: string): Record<string, ExportedParam> {
  const out: Record<string, ExportedParam> = {};
  let i = 0;
  for (const [name, v] of Object.entries(plan.model.instance.params)) {
    const file = `${prefix}-param-${i++}.bin`;
    writeFileSync(join(dir, file), new Uint8Array(Float32Array.from(values[name]).buffer));
    out[name] = { file, dtype: 'float32', shape: v.shape };
  }
  return out;
}

export interface CheckRow {
  readonly label: string;
  readonly loss: number;
  readonly gradNorm: number;
  readonly relLoss: number;
  readonly relGradNorm: number;
  /** The largest per-parameter gradient-norm difference, relative to max(that norm, 1e-3 · the global norm), and where. */
  readonly relParam?: number;
  readonly worstParam?: string;
  /** Parameters of the reference the contestant did not report. */
  readonly missingParams: readonly string[];
  /** The update check, one per case, when the reference has one (then a contestant without one fails). */
  readonly updates?: readonly UpdateVerdict[];
  readonly ok: boolean;
}

export interface CheckResult {
  readonly reference: { readonly label: string } & InitCheck;
  readonly rows: readonly CheckRow[];
  /** Contestants of this model that reported no check (then they were not compared). */
  readonly missing: readonly string[];
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

export function compareCheck(label: string, got: InitCheck, reference: InitCheck): CheckRow {
  const relLoss = rel(got.loss, reference.loss);
  const relGradNorm = rel(got.gradNorm, reference.gradNorm);
  const finite = Number.isFinite(got.loss) && Number.isFinite(got.gradNorm);
  let relParam: number | undefined;
  let worstParam: string | undefined;
  const missingParams: string[] = [];
  if (reference.gradNorms && got.gradNorms) {
    relParam = 0;
    const floor = 1e-3 * reference.gradNorm;
    for (const [name, want] of Object.entries(reference.gradNorms)) {
      const have = got.gradNorms[name];
      if (have === undefined) {
        missingParams.push(name);
        continue;
      }
      const r = Math.abs(have - want) / Math.max(Math.abs(want), floor, 1e-12);
      if (!(r <= relParam)) [relParam, worstParam] = [r, name];
    }
  }
  const paramsOk = relParam === undefined || (relParam <= CHECK_TOLERANCE && missingParams.length === 0);
  const updates = reference.updates?.map((ref, i) => judgeUpdate(got.updates?.[i] ?? {}, Object.keys(ref), reference.gradNorms, reference.gradNorm));
  return {
    label, loss: got.loss, gradNorm: got.gradNorm, relLoss, relGradNorm, relParam, worstParam, missingParams, updates,
    ok: finite && relLoss <= CHECK_TOLERANCE && relGradNorm <= CHECK_TOLERANCE && paramsOk && (updates ?? []).every((u) => u.ok),
  };
}

/** A reply's `check` field as an InitCheck, if it is one. */
export function readCheck(value: unknown): InitCheck | undefined {
  const v = value as Partial<InitCheck> | undefined;
  if (!v || typeof v.loss !== 'number' || typeof v.gradNorm !== 'number') return undefined;
  return {
    loss: v.loss,
    gradNorm: v.gradNorm,
    ...(v.gradNorms && typeof v.gradNorms === 'object' ? { gradNorms: v.gradNorms } : {}),
    ...(Array.isArray(v.updates) ? { updates: v.updates } : {}),
    ...(Array.isArray(v.updateCases) ? { updateCases: v.updateCases } : {}),
  };
}

export function formatCheck(c: CheckResult): string[] {
  const e = (v: number) => v.toExponential(1);
  const out = [
    `  check: loss, gradient norm and per-parameter gradient norms of batch 0 at anneal's initial weights (before any step), ` +
      `against ${c.reference.label}: loss ${c.reference.loss.toPrecision(7)}, ‖g‖ ${c.reference.gradNorm.toPrecision(7)}` +
      `${c.reference.gradNorms ? ` over ${Object.keys(c.reference.gradNorms).length} parameters` : ''}; tolerance ${e(CHECK_TOLERANCE)} relative`,
  ];
  c.reference.updates?.forEach((ref, i) => {
    const steps = Object.values(ref);
    const norm = Math.sqrt(steps.reduce((a, u) => a + u.step * u.step, 0));
    const kase = c.reference.updateCases?.[i];
    out.push(
      `  update ${i + 1}: parameters after one step from those weights on batch 0 without the noise, clip at ${kase ? kase.maxNorm.toPrecision(4) : '?'}` +
        `${kase?.engaged ? ' (acting)' : " (the recipe's)"}, against ${c.reference.label}'s (its update ‖θ' − θ₀‖ ${norm.toPrecision(4)}, ` +
        `max entry ${Math.max(...steps.map((u) => u.maxStep)).toExponential(2)}); tolerance ${e(UPDATE_TOLERANCE)} of each parameter's update norm`,
    );
  });
  for (const r of c.rows) {
    const per = r.relParam === undefined ? ', per parameter: not reported' : `, worst parameter ${e(r.relParam)}${r.worstParam ? ` (${r.worstParam})` : ''}`;
    const missing = r.missingParams.length ? `, missing ${r.missingParams.join(', ')}` : '';
    const upd = (r.updates ?? [])
      .map((u, i) =>
        u.missing.length > 0 && u.missing.length + u.zeroGradient.length === Object.keys(c.reference.updates?.[i] ?? {}).length
          ? `; update ${i + 1}: not reported`
          : `; update ${i + 1}: worst ${e(u.rel)}${u.worst ? ` (${u.worst})` : ''}, max |Δθ'| ${e(u.maxAbs)} (${e(u.maxAbsRel)} of that parameter's largest step)${u.missing.length ? `, missing ${u.missing.join(', ')}` : ''}${u.zeroGradient.length ? `, not compared (zero gradient): ${u.zeroGradient.join(', ')}` : ''}${u.ok ? '' : ' MISMATCH'}`,
      )
      .join('');
    out.push(`    ${r.label.padEnd(18)} loss ${r.loss.toPrecision(7)} (rel ${e(r.relLoss)}), ‖g‖ ${r.gradNorm.toPrecision(7)} (rel ${e(r.relGradNorm)})${per}${missing}${upd}  ${r.ok ? 'ok' : 'MISMATCH'}`);
  }
  for (const m of c.missing) out.push(`    ${m.padEnd(18)} no check reported`);
  return out;
}
