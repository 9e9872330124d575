import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, isAnnealError } from '@anneal/core';
import { tensorflowThreadsNote, tensorflowThreadsOf } from '@anneal/registry';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const tensorflowRequired = (process.env.ANNEAL_CONFORMANCE_BACKENDS ?? '').split(',').includes('tensorflow');
const tensorflowBuilt = existsSync(join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node'));

/** The environment without any thread setting of the machine (the tests set their own). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['ANNEAL_TF_THREADS', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS']) delete env[k];
  return { ...env, ...extra };
}

function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-tfthreads-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

const trial = (label: string, tensorflowThreads?: number) => ({ label, plan: { training: { tensorflowThreads } } }) as unknown as Parameters<typeof tensorflowThreadsOf>[0][number];

test('tensorflowThreadsOf: none asked → undefined; one value → it; two values → a config error naming both trials and the ways out', (t) => {
  t.is(tensorflowThreadsOf([]), undefined);
  t.is(tensorflowThreadsOf([trial('a'), trial('b')]), undefined);
  t.is(tensorflowThreadsOf([trial('a'), trial('b', 2), trial('c', 2)]), 2);
  const error = t.throws(() => tensorflowThreadsOf([trial('no-noise s1', 1), trial('noise s1', 2)]));
  t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(error!.message, /training\.tensorflowThreads differs between the trials of this run: 1 \(no-noise s1\) and 2 \(noise s1\).*--set training\.tensorflowThreads=N.*ANNEAL_TF_THREADS/);
  t.is(tensorflowThreadsNote(2, 2), undefined);
  t.is(tensorflowThreadsNote(undefined, 1), undefined);
  t.regex(tensorflowThreadsNote(2, 1)!, /training\.tensorflowThreads = 2, but TensorFlow was already loaded in this process with 1 thread .*records tensorflow_threads=1/);
});

/**
 * In a fresh process: selectBackend('tensorflow', { tensorflowThreads }), one matmul, then the number of TensorFlow's
 * compute threads (threads named tf_Compute in /proc: the inter-op pool TensorFlow really started; anneal sets the
 * intra-op pool to the same count), what selectBackend reports,
 * and whether childProcessEnv passes the thread variables on.
 */
function threadsInFreshProcess(tensorflowThreads: number | undefined, env: NodeJS.ProcessEnv): { compute: number; reported: number; childIntra: string | null } {
  const script = `
    import { selectBackend, childProcessEnv } from '@anneal/registry';
    import * as tf from '@tensorflow/tfjs-core';
    import { readdirSync, readFileSync } from 'node:fs';
    const b = await selectBackend('tensorflow', ${JSON.stringify(tensorflowThreads === undefined ? {} : { tensorflowThreads })});
    const a = tf.randomNormal([256, 256]);
    tf.matMul(a, a).dataSync();
    const compute = readdirSync('/proc/self/task').filter((id) => readFileSync('/proc/self/task/' + id + '/comm', 'utf8').trim() === 'tf_Compute').length;
    console.log(JSON.stringify({ compute, reported: b.tensorflowThreads, childIntra: childProcessEnv(process.env).TF_NUM_INTRAOP_THREADS ?? null }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test.serial('TensorFlow starts with the requested thread pools; ANNEAL_TF_THREADS and a user TF_NUM_INTRAOP_THREADS win; children do not inherit anneal\'s own setting', (t) => {
  if (!tensorflowBuilt) {
    if (tensorflowRequired) t.fail('the tensorflow backend is required here (ANNEAL_CONFORMANCE_BACKENDS) but is not built');
    else t.pass('skipped: tensorflow not built (anneal backend install tensorflow)');
    return;
  }
  t.deepEqual(threadsInFreshProcess(undefined, cleanEnv()), { compute: 1, reported: 1, childIntra: null }, 'default: one thread');
  t.deepEqual(threadsInFreshProcess(2, cleanEnv()), { compute: 2, reported: 2, childIntra: null }, 'the recipe asks for 2');
  t.deepEqual(threadsInFreshProcess(2, cleanEnv({ ANNEAL_TF_THREADS: '1' })), { compute: 1, reported: 1, childIntra: null }, 'ANNEAL_TF_THREADS wins');
  t.deepEqual(threadsInFreshProcess(1, cleanEnv({ TF_NUM_INTRAOP_THREADS: '3', TF_NUM_INTEROP_THREADS: '3' })), { compute: 3, reported: 3, childIntra: '3' }, "the user's own TF_NUM_* win and are passed on");
});

test.serial('anneal run: training.tensorflowThreads reaches TensorFlow before it loads and is recorded as tag tensorflow_threads', async (t) => {
  if (!tensorflowBuilt) {
    if (tensorflowRequired) t.fail('the tensorflow backend is required here (ANNEAL_CONFORMANCE_BACKENDS) but is not built');
    else t.pass('skipped: tensorflow not built');
    return;
  }
  const home = tempHome(t);
  const small = ['--set', 'training.epochs=1', '--set', 'dataset.config.trainSize=500'];
  const r = await runCli(['run', 'mlp-smoke', '--variant', 'noise', '--seed', '1', '--backend', 'tensorflow', '--set', 'training.tensorflowThreads=2', ...small], { env: cleanEnv({ ANNEAL_HOME: home }) });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /anneal: backend tensorflow \(2 TensorFlow threads\)/);
  const store = new LocalRunStore(home);
  const [run] = store.listRuns();
  t.is(store.readTags(run.runId).tensorflow_threads, '2');
  const plain = await runCli(['run', 'mlp-smoke', '--variant', 'noise', '--seed', '2', '--backend', 'tensorflow', ...small], { env: cleanEnv({ ANNEAL_HOME: home }) });
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stderr, /anneal: backend tensorflow \(1 TensorFlow thread\)/, 'not asked: one thread');
});

test('anneal run: trials that ask for different thread counts, or a bad count, fail at start and write nothing', async (t) => {
  const home = tempHome(t);
  const dir = tempHome(t);
  const shown = await runCli(['recipes', 'show', 'mlp-smoke', '--json'], { env: { ANNEAL_HOME: home } });
  t.is(shown.code, 0, shown.stderr);
  const recipe = JSON.parse(shown.stdout) as { name: string; variants: { name: string; patch: Record<string, unknown> }[] };
  recipe.name = 'threads-apart';
  recipe.variants[0].patch = { ...recipe.variants[0].patch, training: { tensorflowThreads: 1 } };
  recipe.variants[1].patch = { ...recipe.variants[1].patch, training: { tensorflowThreads: 2 } };
  writeFileSync(join(dir, 'threads-apart.json'), JSON.stringify(recipe));
  const apart = await runCli(['run', join(dir, 'threads-apart.json'), '--seed', '1'], { env: cleanEnv({ ANNEAL_HOME: home }) });
  t.not(apart.code, 0);
  t.regex(apart.stderr, /ANNEAL_ERR_CONFIG_VALUE: training\.tensorflowThreads differs between the trials of this run: 1 \(.*no-noise.*\) and 2 \(.*noise.*\)/);
  const bad = await runCli(['run', 'mlp-smoke', '--set', 'training.tensorflowThreads=0'], { env: cleanEnv({ ANNEAL_HOME: home }) });
  t.not(bad.code, 0);
  t.regex(bad.stderr, /tensorflowThreads/);
  t.false(existsSync(join(home, 'runs')) && new LocalRunStore(home).listRuns().length > 0, 'nothing written');
});
