import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, defineSchema, type GradMap, type Recipe } from '@anneal/core';
import { syntheticBlobsDataset, tinyClassifierFamily } from '@anneal/core/testing';
import { tensorflowTests } from '../helpers/on-tensorflow.js';
import { launcherIn, tinyRecipe } from '../helpers/test-catalog.js';

/**
 * A step leaves a global-norm clip's multiply to the next transform when that one folds a scale (core's scale-fold.ts;
 * `foldsScale` of a transform and of its graph form): the annealed noise then makes c · g + ε in one pass (the fused
 * op on tensorflow), eagerly and in a captured graph. The weights must be the same, bit for bit, as when the clip
 * multiplies first.
 */
const onTensorflow = tensorflowTests();
const quiet = { backend: 'tensorflow', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

/** A post-clip transform that passes the gradients on: `folds` says whether its graph form takes the clip's scale. */
function passOn(name: string, folds: boolean, seen: string[]) {
  return definePlugin.gradientTransform({
    manifest: { name, version: '0.0.0', kind: 'gradient-transform', hookPoint: 'post-clip', configSchema: defineSchema({}), card: { summary: 'test: passes the gradients on' } },
    create: () => ({
      name,
      init: () => ({}),
      ...(folds ? { foldsScale: true } : {}),
      update: (grads: GradMap, state: Record<string, never>, ctx: { scale?: number }) => {
        seen.push(ctx.scale !== undefined ? 'scale' : 'none');
        const scale = ctx.scale;
        return { grads: scale !== undefined ? Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, tf.scalar(scale, 'float32'))])) : grads, state };
      },
      graph: {
        host: (state: Record<string, never>) => ({ inputs: {}, state }),
        ...(folds ? { foldsScale: true } : {}),
        apply: (grads: GradMap, _inputs: Readonly<Record<string, tf.Tensor>>, known?: { scale?: tf.Scalar }) => {
          seen.push(known?.scale ? 'scale' : 'none');
          const scale = known?.scale;
          return { grads: scale ? Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])) : grads };
        },
      },
    }),
  });
}

function recipe(name: string, between: string[], graphStep: 'on' | 'off'): Recipe {
  return tinyRecipe({
    name,
    optimizer: { name: 'sgd', config: { learningRate: 0.1 } },
    plugins: [
      { plugin: 'clip-global-norm', config: { maxNorm: 0.5 } },
      ...between.map((plugin) => ({ plugin, config: {} })),
      { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
    ],
    training: { batchSize: 16, epochs: 3, graphStep },
  });
}

for (const graphStep of ['off', 'on'] as const) {
  onTensorflow(`${graphStep === 'on' ? 'graph' : 'eager'} step: the clip leaves c to the noise, and the weights equal those of the clip multiplying first, bit for bit`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'anneal-scale-fold-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const seen: string[] = [];
    const { launcher, store } = launcherIn(dir, [tinyClassifierFamily, syntheticBlobsDataset, passOn('test-pass-folding', true, seen), passOn('test-pass-plain', false, seen)]);
    const weights = async (name: string, between: string[]) => {
      const outcome = (await launcher.launch(recipe(`${name}-${graphStep}`, between, graphStep), quiet)).outcomes[0];
      t.is(outcome.status, 'FINISHED', name);
      const coefs = store.readMetrics(outcome.runId).filter((p) => p.key === 'plugin/clip-global-norm/clip_coef').map((p) => p.value);
      t.true(coefs.some((c) => c < 1), `${name}: the clip is active on some steps`);
      const post = store.readMetrics(outcome.runId).filter((p) => p.key === 'grad/norm_post_clip').map((p) => p.value);
      t.true(post.some((v) => Math.abs(v - 0.5) < 1e-6), `${name}: a clipped step records maxNorm after the clip`);
      return readFileSync(join(store.artifactsDir(outcome.runId), 'model', 'weights.bin'));
    };
    const folded = await weights('fold-noise', []); // the clip's c goes to the noise op
    seen.length = 0;
    const first = await weights('fold-none', ['test-pass-plain']); // the clip multiplies: the next transform folds nothing
    t.true(seen.length > 0 && seen.every((s) => s === 'none'), `a transform without foldsScale gets the clipped gradients: ${[...new Set(seen)].join(', ')}`);
    seen.length = 0;
    const byHand = await weights('fold-by-hand', ['test-pass-folding']); // the clip's c goes to a transform that multiplies with tf.mul
    t.true(seen.includes('scale'), `a transform with foldsScale gets the clip's scale: ${[...new Set(seen)].join(', ')}`);
    t.true(folded.equals(first), 'noise folding c = clip, then noise');
    t.true(folded.equals(byHand), 'noise folding c = tf.mul by the next transform, then noise');
  });
}
