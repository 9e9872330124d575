import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, isAnnealError } from '../errors/anneal-error.js';
import type { Batch } from '../data/dataset.js';
import type { GradMap } from '../model/param-map.js';
import type { ForwardContext, StepContext } from '../plugin/contexts.js';
import type { CarriedState } from '../model/model.js';
import type { GraphHostContext, GraphHostInputs, StepFacts } from '../plugin/transforms.js';
import { captureGraph, type CapturedGraph } from '../ops/graph-capture/index.js';
import { GRADIENT_HOOK_POINTS as GRADIENT_STAGES } from '../hooks/hook-point.js';
import type { ExecutionPlan, PlanEntry } from './execution-plan.js';
import type { ForwardTransform } from '../plugin/transforms.js';
import { globalNorm } from './global-norm.js';
import { mayLeaveScaleAt } from './scale-fold.js';
import { runPostUpdate, type PluginStates, type StepTensors } from './run-step.js';
import { SiteTransforms } from './site-matches.js';

/** One forward-transform call at a site, in forward order: the host part gives its values before each run. */
interface SiteCall {
  readonly entry: PlanEntry<ForwardTransform>;
  readonly site: string;
  readonly shape: readonly number[];
  /** Whether the call reads host values (a late input of the graph) or is the identity. */
  readonly reads: boolean;
}

interface GraphEntry {
  readonly graph: CapturedGraph;
  readonly metricNames: string[];
  readonly sites: readonly SiteCall[];
  /** The keys of the carried state the step returns, in output order. */
  readonly carryKeys: readonly string[];
  /** The curriculum levels the captured step read, with their values then: the graph serves steps with those values. */
  readonly curriculumReads: Readonly<Record<string, number | undefined>>;
}

/**
 * The step order of run-step.ts, run as one captured TensorFlow graph (`training.graphStep: 'on'`, tensorflow
 * backend): loss + gradients → pre-clip → clip → post-clip → pre-update → update, each plugin through its graph
 * form (GraphGradientForm, GraphOptimizerForm in plugin/transforms.ts).
 *
 * Per step: every plugin's `host` part runs first, in stage order (σ_t, the noise draw, lr_t); the batch and
 * those host values are uploaded; then one session call computes the loss, the gradients, each stage's `apply`,
 * the global norms and the new parameters, which are swapped in. The post-update plugins (parameter transforms)
 * then run eagerly on the new parameters, as in runStep. The graph is captured at the first step of a
 * kind (phase, curriculum level, input shapes) and that step is then run through the graph too, so every step
 * of a run, a resumed one included, comes out of a graph. Of the curriculum levels, only those the model read while
 * it was captured select the graph: the NGPU curriculum's pull weight changes often, but only a model with parameter
 * copies reads it.
 *
 * Carried state (an LSTM's h and c) goes in as inputs and comes out as outputs. Forward transforms (dropout) run
 * through their graph forms: at the capture each call at a site draws its host values as the forward pass reaches
 * it, and they become late inputs of the graph (CaptureScope.input); at later steps the same calls draw first, in
 * the captured order, so the streams advance as in the eager step.
 */
export class GraphStepRunner {
  /** Captured graphs by step kind (phase, input shapes, …); several per kind when the model read curriculum levels. */
  private readonly graphs = new Map<string, GraphEntry[]>();
  private readonly siteTransforms: SiteTransforms;

  /** Why this plan's step cannot run as a graph (undefined: it can). */
  static unsupported(plan: ExecutionPlan): string | undefined {
    if (plan.backend !== 'tensorflow') return `the backend is '${plan.backend}'; graph steps need 'tensorflow' (anneal backend install tensorflow)`;
    const missing = [...GRADIENT_STAGES.flatMap((s) => plan.stages[s]), plan.stages.update].filter((e) => !e.instance.graph).map((e) => `'${e.name}'`);
    if (missing.length > 0) return `plugin ${missing.join(', ')} has no graph form`;
    const model = plan.model.instance;
    if (model.graphStepUnsupported) return `model '${plan.model.family}': ${model.graphStepUnsupported}`;
    const noForm = plan.forward.filter((e) => !e.instance.graph);
    if (noForm.length > 0) return `forward transform ${noForm.map((e) => `'${e.name}'`).join(', ')} has no graph form`;
    return undefined;
  }

  constructor(private readonly plan: ExecutionPlan) {
    const why = GraphStepRunner.unsupported(plan);
    if (why) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `training.graphStep = 'on' cannot be used here: ${why}. Set training.graphStep to 'off' (the default) or 'auto'.`, { key: 'training.graphStep' });
    this.siteTransforms = new SiteTransforms(plan.forward);
  }

  run(states: PluginStates, batchOf: () => Batch, stepCtx: StepContext, forwardCtx: ForwardContext, recordGradNorms: boolean): StepTensors {
    const plan = this.plan;
    const model = plan.model.instance;
    const names = Object.keys(model.params);
    const vars = names.map((n) => model.params[n]);
    const { params: _params, globalNorm: _norm, ...numbers } = stepCtx;
    const hostCtx: GraphHostContext = { ...numbers, shapes: Object.fromEntries(names.map((n, i) => [n, vars[i].shape])) };

    // Host parts, in stage order.
    const metrics: Record<string, number | tf.Scalar> = {};
    const facts: { -readonly [K in keyof StepFacts]: StepFacts[K] } = {};
    const hostInputs: { owner: string; key: string; value: Float32Array | Int32Array | number }[] = [];
    const take = (owner: string, inputs: GraphHostInputs) => {
      for (const [key, value] of Object.entries(inputs)) hostInputs.push({ owner, key, value });
    };
    for (const stage of GRADIENT_STAGES) {
      for (const e of plan.stages[stage]) {
        const out = e.instance.graph!.host(states.get(e.name), hostCtx);
        states.set(e.name, out.state);
        take(e.name, out.inputs);
        for (const [k, v] of Object.entries(out.metrics ?? {})) metrics[`plugin/${e.name}/${k}`] = v;
        if (out.facts?.noiseStd !== undefined) facts.noiseStd = out.facts.noiseStd;
      }
    }
    const opt = plan.stages.update;
    const optOut = opt.instance.graph!.host(states.get(opt.name), hostCtx);
    states.set(opt.name, optOut.state);
    take(opt.name, optOut.inputs);
    const slots = opt.instance.graph!.slots?.(optOut.state) ?? {};
    const slotNames = Object.keys(slots);
    const slotVars = slotNames.map((k) => slots[k]);

    // One tidy, as in runStep: the batch, the uploads and the graph's outputs are freed at its end.
    const out = tf.tidy(() => {
      const batch = batchOf();
      const batchKeys = Object.keys(batch).sort();
      const carry = forwardCtx.carry ?? {};
      const carryIn = Object.keys(carry).sort();
      const hostTensors = hostInputs.map((h) => (typeof h.value === 'number' ? tf.scalar(h.value) : tf.tensor1d(h.value, h.value instanceof Int32Array ? 'int32' : 'float32')));
      // The carried state (h, c of an LSTM) is an input like the batch; the state after the window is an output.
      const inputs = [...vars, ...slotVars, ...batchKeys.map((k) => batch[k]), ...carryIn.map((k) => carry[k]), ...hostTensors];
      const key = JSON.stringify([stepCtx.phase, recordGradNorms, carryIn, inputs.map((t) => t.shape)]);
      const curriculum = forwardCtx.curriculum ?? {};
      const kind = this.graphs.get(key) ?? [];
      this.graphs.set(key, kind);
      let entry = kind.find((e) => Object.entries(e.curriculumReads).every(([level, value]) => curriculum[level] === value));
      let late: tf.Tensor[];
      if (!entry) {
        const curriculumReads: Record<string, number | undefined> = {};
        const readCurriculum = new Proxy(curriculum, {
          get: (levels, level) => (typeof level === 'string' ? (curriculumReads[level] = levels[level]) : undefined),
          has: (levels, level) => (typeof level === 'string' && (curriculumReads[level] = levels[level]), level in levels),
          ownKeys: (levels) => (Object.assign(curriculumReads, levels), Reflect.ownKeys(levels)),
        });
        separateSharedBuffers([...vars, ...slotVars]);
        const metricNames: string[] = [];
        const sites: SiteCall[] = [];
        const drawn: { values: Float32Array; shape: readonly number[] }[] = [];
        const carryKeys: string[] = [];
        // A model's constant tensors (lookup tables, encodings) are read by the graph as extra inputs; the forward
        // transforms' host values (dropout masks) drawn as the forward pass reaches each site are late inputs.
        const captured = this.capture((_inputs, scope) => {
          const site = (name: string, x: tf.Tensor): tf.Tensor => {
            let y = x;
            for (const e of this.siteTransforms.at(name)) {
              const h = e.instance.graph!.host(states.get(e.name), name, y.shape, forwardCtx);
              states.set(e.name, h.state);
              sites.push({ entry: e, site: name, shape: [...y.shape], reads: h.input !== undefined });
              if (h.input) drawn.push({ values: h.input, shape: [...y.shape] });
              y = e.instance.graph!.apply(y, name, h.input ? scope.input(tf.tensor(h.input, y.shape, 'float32')) : undefined);
            }
            return y;
          };
          return this.body(batch, { ...forwardCtx, curriculum: readCurriculum, site }, hostInputs, hostTensors, slots, recordGradNorms, metricNames, carryKeys);
        }, inputs);
        tf.dispose(captured.outputs); // the step itself comes from the graph, as every other step does
        entry = { graph: captured.graph, metricNames, sites, carryKeys, curriculumReads };
        kind.push(entry);
        // The capture's draws are this step's: the graph runs on them (drawing again would move the streams on).
        late = drawn.map((d) => tf.tensor(d.values, [...d.shape], 'float32'));
      } else {
        late = this.drawSiteInputs(entry.sites, states, forwardCtx);
      }
      const outs = entry.graph.run(inputs, late);
      vars.forEach((v, i) => v.assign(outs[i]));
      slotVars.forEach((v, i) => v.assign(outs[vars.length + i]));
      const carryAt = vars.length + slotVars.length;
      const nextCarry: CarriedState | undefined = entry.carryKeys.length > 0 ? Object.fromEntries(entry.carryKeys.map((k, i) => [k, tf.keep(outs[carryAt + i])])) : undefined;
      // Loss, norms and metric scalars come out as one vector: one read back for all of them.
      const numbers = outs[carryAt + entry.carryKeys.length].dataSync();
      entry.metricNames.forEach((name, i) => (metrics[name] = numbers[3 + i]));
      return { loss: numbers[0], normPre: numbers[1], normPost: numbers[2], nextCarry };
    });
    // post-update: parameter transforms (copy averaging, weight noise) act on the new parameters eagerly, as in runStep.
    tf.tidy(() => {
      runPostUpdate(plan, states, stepCtx, { metrics, facts });
      return Object.values(metrics).filter((v): v is tf.Scalar => v instanceof tf.Tensor); // the metric scalars stay
    });
    // A host scalar (tfjs-node keeps its value in JS until an op uses it): the trainer reads it like runStep's loss.
    const result: StepTensors = { loss: tf.scalar(out.loss), gradNormPreClip: recordGradNorms ? out.normPre : NaN, gradNormPostClip: recordGradNorms ? out.normPost : NaN, metrics, facts };
    return out.nextCarry ? { ...result, carry: out.nextCarry } : result;
  }


  /** This step's host values of every site call the graph reads, in the captured order (the draws eager would make). */
  private drawSiteInputs(sites: readonly SiteCall[], states: PluginStates, forwardCtx: ForwardContext): tf.Tensor[] {
    const late: tf.Tensor[] = [];
    for (const call of sites) {
      const h = call.entry.instance.graph!.host(states.get(call.entry.name), call.site, call.shape, forwardCtx);
      states.set(call.entry.name, h.state);
      if ((h.input !== undefined) !== call.reads) {
        throw new Error(`forward transform '${call.entry.name}' at site '${call.site}': its graph form's host gave ${call.reads ? 'no values' : 'values'} where the captured step ${call.reads ? 'reads them' : 'reads none'}; a host part must decide that from the kind of step alone`);
      }
      if (h.input) late.push(tf.tensor(h.input, [...call.shape], 'float32'));
    }
    return late;
  }

  /** Captures the step, naming the model when its loss does what a graph cannot (a host read, a random op). */
  private capture(step: Parameters<typeof captureGraph>[0], inputs: tf.Tensor[]): ReturnType<typeof captureGraph> {
    try {
      return captureGraph(step, inputs, { outsideTensors: 'input' });
    } catch (error) {
      if (!isAnnealError(error, 'ANNEAL_ERR_GRAPH_CAPTURE')) throw error;
      const reason = error.message.replace(/^ANNEAL_ERR_GRAPH_CAPTURE: /, '');
      throw new AnnealError('ANNEAL_ERR_GRAPH_CAPTURE', `training.graphStep = 'on': the step of model '${this.plan.model.family}' cannot run as one graph: ${reason}. Use a model configuration that computes its loss and gradients with tensor ops only (and declare the others in the model's graphStepUnsupported), or set training.graphStep to 'off'.`, { key: 'training.graphStep' });
    }
  }

  /** The traced step: [...new params, ...new slots, [loss, norm before clip, norm after clip, ...graph metrics]]. */
  private body(
    batch: Batch,
    forwardCtx: ForwardContext,
    hostInputs: readonly { owner: string; key: string }[],
    hostTensors: readonly tf.Tensor[],
    slots: Readonly<Record<string, tf.Variable>>,
    recordGradNorms: boolean,
    metricNames: string[],
    carryKeys: string[],
  ): tf.Tensor[] {
    const plan = this.plan;
    const model = plan.model.instance;
    const names = Object.keys(model.params);
    const vars = names.map((n) => model.params[n]);
    const inputsOf = (owner: string) => Object.fromEntries(hostInputs.flatMap((h, i) => (h.owner === owner ? [[h.key, hostTensors[i]]] : [])));
    let carry: CarriedState = {};
    const { value: loss, grads: byVarName } = tf.variableGrads(() => {
      const out = model.loss(batch, forwardCtx);
      if (out instanceof tf.Tensor) return out;
      carry = Object.fromEntries(Object.entries(out.carry).map(([k, t]) => [k, tf.keep(t)])); // kept past the loss's own tidy
      return out.loss;
    }, vars);
    carryKeys.push(...Object.keys(carry).sort());
    let grads: GradMap = Object.fromEntries(names.map((n, i) => [n, byVarName[vars[i].name]]));
    const metricTensors: tf.Tensor[] = [];
    const norm = (g: GradMap) => (recordGradNorms ? globalNorm(g) : tf.scalar(NaN)); // tensor ops: a graph has no host sum
    let normPre: tf.Tensor = tf.scalar(NaN);
    let normPost: tf.Tensor = tf.scalar(NaN);
    let knownNorm: tf.Scalar | undefined; // the global norm of `grads` (times `scale`), when it is computed already
    let scale: tf.Scalar | undefined; // the gradients are `grads` times this: a multiply left to the next transform
    const order = GRADIENT_STAGES.flatMap((stage) => plan.stages[stage].map((e) => ({ foldsScale: e.instance.graph?.foldsScale })));
    let at = 0;
    for (const stage of GRADIENT_STAGES) {
      if (stage === 'clip' && recordGradNorms) normPre = knownNorm = globalNorm(grads);
      for (const e of plan.stages[stage]) {
        const form = e.instance.graph!;
        const mayLeaveScale = mayLeaveScaleAt(order, at);
        at += 1;
        const out = form.apply(grads, inputsOf(e.name), { globalNorm: knownNorm, ...(scale ? { scale } : {}), mayLeaveScale });
        if (out.scale && !mayLeaveScale) throw new Error(`transform '${e.name}': its graph form returned a scale, but the next transform does not fold one`);
        grads = out.grads;
        scale = out.scale;
        knownNorm = out.globalNorm;
        for (const [k, v] of Object.entries(out.metrics ?? {})) {
          metricNames.push(`plugin/${e.name}/${k}`);
          metricTensors.push(v);
        }
      }
      if (stage === 'clip') normPost = plan.stages.clip.length > 0 ? (knownNorm ?? (scale ? tf.mul(norm(grads), tf.abs(scale)) : norm(grads))) : normPre;
    }
    const opt = plan.stages.update;
    const next = opt.instance.graph!.apply(model.params, grads, inputsOf(opt.name), slots);
    const slotNames = Object.keys(slots);
    if (slotNames.some((k) => !next.slots?.[k])) throw new Error(`optimizer '${opt.name}': its graph form's apply did not return every slot (${slotNames.join(', ')})`);
    return [...names.map((n) => next.params[n]), ...slotNames.map((k) => next.slots![k]), ...carryKeys.map((k) => carry[k]), tf.stack([loss, normPre, normPost, ...metricTensors].map((x) => tf.reshape(x, [])))];
  }

  dispose(): void {
    for (const kind of this.graphs.values()) for (const { graph } of kind) graph.dispose();
    this.graphs.clear();
  }
}

/**
 * Gives each variable its own buffer before a capture. Variables made from one tensor (tf.clone shares its data), or
 * assigned one tensor (an average copied to every copy), share a buffer until they are next assigned, and a captured
 * graph cannot tell inputs with one buffer apart: it would read one of them for both at every later step. x · 1 is
 * the same value bit for bit.
 */
function separateSharedBuffers(variables: readonly tf.Variable[]): void {
  const seen = new Set<object>();
  for (const v of variables) {
    if (seen.has(v.dataId)) v.assign(tf.tidy(() => tf.mul(v, 1)));
    seen.add(v.dataId);
  }
}
