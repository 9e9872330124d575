import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, batchContext, deriveSeed, didYouMean, Rng, validateConfig, type DataSplit } from '@anneal/core';
import { bootAnneal } from '../../boot.js';
import { parseSetArg } from '../../recipes/set-override.js';
import { parse, toList } from '../parse.js';

export const DATA_SAMPLE_HELP = `Usage: anneal data sample <dataset> [options]

Prints examples of a dataset in readable form (what its split's describe() gives; without one, the
batch tensors' shapes and first values).

Options:
  --set dataset.config.<key>=value   a dataset setting (repeatable), e.g. --set dataset.config.task=3
  --split train|validation|test      which split (default train)
  --n N                              how many examples (default 3)
  --from I                           the first example index (default 0)
  --seed S                           the run seed the dataset is loaded with (default 1)
  --plugin <path|pkg>                load a dataset plugin from a module (repeatable)
  --json                             the examples as JSON
`;

const SPLITS = ['train', 'validation', 'test'] as const;

/** A batch of one example, when its split cannot describe itself: tensor shapes and first values. */
function tensorsOf(split: DataSplit, index: number): Record<string, unknown> {
  return tf.tidy(() => {
    const batch = split.batch(Int32Array.of(index), batchContext({ training: false, rng: new Rng(0) }));
    return Object.fromEntries(Object.entries(batch).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype, values: [...t.dataSync().slice(0, 16)] }]));
  });
}

function formatExample(title: string, example: Readonly<Record<string, unknown>>): string {
  const lines = [`# ${title}`];
  for (const [k, v] of Object.entries(example)) {
    if (typeof v === 'string' && v.includes('\n')) lines.push(`${k}:`, ...v.split('\n').map((l) => `  ${l}`));
    else lines.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return lines.join('\n');
}

/** `anneal data sample <dataset> …`. */
export async function dataSampleCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('data sample', args, {
    set: { type: 'string', multiple: true },
    split: { type: 'string' },
    n: { type: 'string' },
    from: { type: 'string' },
    seed: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(DATA_SAMPLE_HELP);
    return 0;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `data sample: give one dataset name (e.g. anneal data sample mnist --n 2). See 'anneal plugins ls --kind dataset'.`);
  const count = (flag: string, value: string | undefined, fallback: number, min: number) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < min) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--${flag} ${JSON.stringify(value)} is not allowed; it must be an integer ≥ ${min}.`);
    return n;
  };
  const n = count('n', values.n, 3, 1);
  const from = count('from', values.from, 0, 0);
  const seed = count('seed', values.seed, 1, 0);
  const splitName = (values.split ?? 'train') as (typeof SPLITS)[number];
  if (!SPLITS.includes(splitName)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--split '${splitName}' is not allowed; use one of ${SPLITS.join(', ')}.${didYouMean(splitName, SPLITS)}`);
  const config: Record<string, unknown> = {};
  for (const { path, value } of toList(values.set).map(parseSetArg)) {
    if (!path.startsWith('dataset.config.')) throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `data sample: --set takes dataset.config.<key>=value, got '${path}'.`);
    config[path.slice('dataset.config.'.length)] = value;
  }
  const booted = await bootAnneal({ pluginModules: toList(values.plugin), env });
  try {
    const def = booted.plugins.get(name, 'dataset', 'data sample');
    const validated = validateConfig(`dataset '${name}'`, def.manifest.configSchema, config);
    const dataset = await def.load(validated, { dataDir: env.ANNEAL_DATA_DIR, seed: deriveSeed(seed, 'dataset') });
    try {
      const split = dataset.splits[splitName];
      if (!split) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `dataset '${name}' has no ${splitName} split (it has ${Object.keys(dataset.splits).join(', ')}).`);
      if (from >= split.size) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--from ${from} is past the end of ${name}'s ${splitName} split (${split.size} examples).`);
      const indices = Array.from({ length: Math.min(n, split.size - from) }, (_, i) => from + i);
      const examples = indices.map((i) => ({ index: i, ...(split.describe ? split.describe(i) : tensorsOf(split, i)) }));
      if (values.json) process.stdout.write(`${JSON.stringify({ dataset: name, split: splitName, size: split.size, config: validated, examples }, null, 2)}\n`);
      else process.stdout.write(`${examples.map((e) => formatExample(`${name} ${splitName}[${e.index}] of ${split.size}`, e)).join('\n\n')}\n`);
      return 0;
    } finally {
      dataset.dispose?.();
    }
  } finally {
    await booted.tracker.close();
  }
}
