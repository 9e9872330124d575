import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { runCli } from '../helpers/run-cli.js';

function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-variant-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

const small = ['--set', 'training.epochs=1', '--set', 'dataset.config.trainSize=500'];

test('--variant runs one arm, and --set plugins.<instance> reaches the plugin that arm adds', async (t) => {
  const home = tempHome(t);
  const r = await runCli(['run', 'mlp-smoke', '--variant', 'noise', '--seed', '1', '--set', 'plugins.annealed-gaussian.eta=1', ...small], { env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  const runs = new LocalRunStore(home).listRuns();
  t.is(runs.length, 1, 'one trial: no parent run');
  const params = new LocalRunStore(home).readParams(runs[0].runId);
  t.is(params['plugins.annealed-gaussian.eta'], '1');
  t.is(params.variant, 'noise');
});

test('--set plugins.<instance> that no arm has fails at start, naming the instances; an unknown --variant suggests the nearest', async (t) => {
  const home = tempHome(t);
  const a = await runCli(['run', 'mlp-smoke', '--variant', 'no-noise', '--set', 'plugins.annealed-gaussian.eta=1'], { env: { ANNEAL_HOME: home } });
  t.not(a.code, 0);
  t.regex(a.stderr, /ANNEAL_ERR_PLUGIN_UNKNOWN.*no trial of recipe 'mlp-smoke' \(variants no-noise\) has a plugin instance 'annealed-gaussian'/);
  const b = await runCli(['run', 'mlp-smoke', '--variant', 'noisy'], { env: { ANNEAL_HOME: home } });
  t.not(b.code, 0);
  t.regex(b.stderr, /--variant 'noisy' is not a variant of recipe 'mlp-smoke'\. Did you mean 'noise'\?/);
  t.false(existsSync(join(home, 'runs')) && new LocalRunStore(home).listRuns().length > 0, 'nothing written');
});

test('--dry-run --json prints every trial spec (resolved plugins in hook order, validated configs) and trains nothing', async (t) => {
  const home = tempHome(t);
  const r = await runCli(['run', 'mlp-table1-exp3', '--quick', '--dry-run', '--json'], { env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  const specs = JSON.parse(r.stdout) as { id: string; variant: string; plan: { hooks: Record<string, { plugin: string; config: Record<string, unknown> }[]>; metrics: { key: string }[] } }[];
  t.is(specs.length, 6);
  const noise = specs.find((s) => s.variant === 'noise')!;
  t.deepEqual(noise.plan.hooks.clip.map((p) => p.plugin), ['clip-global-norm']);
  t.deepEqual(noise.plan.hooks['post-clip'].map((p) => p.plugin), ['annealed-gaussian']);
  t.is(noise.plan.hooks['post-clip'][0].config.gamma, 0.55, 'defaults filled in');
  t.deepEqual(noise.plan.metrics.map((m) => m.key), ['accuracy', 'error', 'mean_loss']);
  t.false(existsSync(join(home, 'runs')), 'nothing written');
  const text = await runCli(['run', 'mlp-table1-exp3', '--quick', '--dry-run'], { env: { ANNEAL_HOME: home } });
  t.regex(text.stdout, /6 trials of mlp-table1-exp3 \(quick\)/);
  t.regex(text.stdout, /post-clip\s+annealed-gaussian@/);
});
