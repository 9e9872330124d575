import { BATCH_SAMPLINGS, GRAPH_STEP_MODES, HOOK_POINTS } from '@anneal/core';
import type { Field, Shape } from './check-shape.js';

/**
 * The shape of a recipe (core's `Recipe`) and of a recipe patch (`RecipePatch`: quick variants and
 * variant patches), as data. `validateRecipeShape` checks recipes against it; recipe files are checked
 * against it before anything runs.
 */

const req = (shape: Shape): Field => ({ shape, required: true });
const opt = (shape: Shape): Field => ({ shape });

const string: Shape = { type: 'string' };
const anyMap: Shape = { type: 'map', value: { type: 'any' } };
const int1: Shape = { type: 'number', integer: true, min: 1 };
const positive: Shape = { type: 'number', min: 0, exclusiveMin: true };
const strings: Shape = { type: 'list', item: string };

const lrSchedule: Shape = {
  type: 'tagged',
  tag: 'kind',
  cases: {
    constant: { type: 'object', what: 'lrSchedule', fields: { kind: req(string) } },
    step: { type: 'object', what: 'lrSchedule', fields: { kind: req(string), everyEpochs: req(int1), factor: req(positive) } },
  },
};

const phase: Shape = {
  type: 'object',
  what: 'phase',
  fields: { name: req(string), epochs: req(int1), learningRate: opt(positive), lrSchedule: opt(lrSchedule), modelOptions: opt(anyMap) },
};

function trainingFields(required: boolean): Record<string, Field> {
  return {
    batchSize: { shape: int1, required },
    epochs: opt(int1),
    phases: opt({ type: 'list', item: phase, nonEmpty: true }),
    maxSteps: opt(int1),
    evalEveryEpochs: opt(int1),
    evalSplits: opt({ type: 'list', item: { type: 'enum', values: ['train', 'validation', 'test'] } }),
    evalOnlyAtEnd: opt({ type: 'list', item: { type: 'enum', values: ['train', 'validation', 'test'] } }),
    sampling: opt({ type: 'enum', values: BATCH_SAMPLINGS }),
    recordGradNorms: opt({ type: 'boolean' }),
    graphStep: opt({ type: 'enum', values: GRAPH_STEP_MODES }),
    tensorflowThreads: opt(int1),
    lrSchedule: opt(lrSchedule),
  };
}

const component = (what: string, nameRequired: boolean): Shape => ({
  type: 'object',
  what,
  fields: { name: { shape: string, required: nameRequired }, config: opt(anyMap) },
});

const pluginUse: Shape = {
  type: 'object',
  what: 'plugin entry',
  fields: {
    plugin: req(string),
    config: opt(anyMap),
    at: opt({ type: 'enum', values: HOOK_POINTS }),
    as: opt({ type: 'string', pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, hint: "a kebab-case instance name, e.g. 'noise-2'" }),
    placement: opt({ type: 'enum', values: ['list', 'constraints'] }),
  },
};

const restarts: Shape = {
  type: 'object',
  what: 'restarts',
  fields: { count: req(int1), selectBy: req(string), mode: req({ type: 'enum', values: ['min', 'max'] }) },
};

/** A tracked metric key: `<split>/<metric>`. */
const trackedKey: Shape = { type: 'string', pattern: /^[a-z]+\/[\w./-]+$/, hint: "a tracked key '<split>/<metric>', e.g. 'test/accuracy'" };
const reportFields = { layout: req(string), metric: req(trackedKey), baseline: opt(string) };

const report: Shape = {
  type: 'tagged',
  tag: 'layout',
  cases: {
    'best-average': { type: 'object', what: 'report', fields: reportFields },
    'restart-selection': { type: 'object', what: 'report', fields: { ...reportFields, columns: opt(strings) } },
    'grid-best': { type: 'object', what: 'report', fields: { ...reportFields, taskKeys: req(strings) } },
    'success-rate': {
      type: 'object',
      what: 'report',
      fields: { ...reportFields, threshold: req({ type: 'number' }), reach: req({ type: 'enum', values: ['at-most', 'at-least'] }) },
    },
    'threshold-counts': { type: 'object', what: 'report', fields: { ...reportFields, thresholds: req({ type: 'list', item: { type: 'number' }, nonEmpty: true }), means: opt(strings) } },
    'mean-std': { type: 'object', what: 'report', fields: { ...reportFields, metrics: opt(strings) } },
  },
};

const paper: Shape = {
  type: 'object',
  what: 'paper',
  fields: { table: req(string), values: req({ type: 'map', value: { type: 'map', value: { type: 'number' } } }), metric: req(string), runs: opt({ type: 'map', value: { type: 'number' } }), note: opt(string) },
};

const seeds: Shape = { type: 'list', item: { type: 'number', integer: true, min: 0 }, nonEmpty: true };
const grid: Shape = { type: 'map', value: { type: 'list', item: { type: 'any' }, nonEmpty: true } };

/** Fields a patch may change (deep-partial recipe minus identity), shared by recipes and patches. */
function patchableFields(partial: boolean): Record<string, Field> {
  return {
    description: partial ? opt(string) : req(string),
    model: partial ? opt(component('model', false)) : req(component('model', true)),
    dataset: partial ? opt(component('dataset', false)) : req(component('dataset', true)),
    optimizer: partial ? opt(component('optimizer', false)) : req(component('optimizer', true)),
    plugins: partial ? opt({ type: 'list', item: pluginUse }) : req({ type: 'list', item: pluginUse }),
    training: partial ? opt({ type: 'object', what: 'training', fields: trainingFields(false) }) : req({ type: 'object', what: 'training', fields: trainingFields(true) }),
    seeds: partial ? opt(seeds) : req(seeds),
    grid: opt(grid),
    variants: opt({ type: 'list', item: { type: 'object', what: 'variant', fields: { name: req(string), patch: req(PATCH_SHAPE) } } }),
    restarts: opt(restarts),
    report: opt(report),
  };
}

// A variant's patch is a patch too: the shape refers to itself, so its fields are filled in after.
const patchFields: Record<string, Field> = {};

/** A recipe patch (`quick`, a variant's `patch`). */
export const PATCH_SHAPE: Shape = { type: 'object', what: 'patch', fields: patchFields };
Object.assign(patchFields, patchableFields(true));

/** A whole recipe. */
export const RECIPE_SHAPE: Shape = {
  type: 'object',
  what: 'recipe',
  fields: {
    name: req({ type: 'string', pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: "kebab-case, e.g. 'my-mlp-noise'" }),
    version: req(int1),
    ...patchableFields(false),
    load: opt(strings),
    quick: opt(PATCH_SHAPE),
    paper: opt(paper),
    tags: opt(strings),
  },
};

/** A recipe's `training` block. */
export const TRAINING_SHAPE: Shape = { type: 'object', what: 'training', fields: trainingFields(true) };

/** Top-level and training keys, for messages and `--set` checks. */
export const RECIPE_KEYS = Object.keys((RECIPE_SHAPE as { fields: object }).fields);
export const TRAINING_KEYS = Object.keys(trainingFields(true));
