import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@anneal/tracker-mlflow/testing';
import { TINY, runToEnd, tempHome } from '../sweep/sweep-cli.js';

const runsIn = (home: string) => (existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')).length : 0);

test('bad queue URLs, an unreachable Redis and a missing MLFLOW_TRACKING_URI give clear errors and start nothing', async (t) => {
  const home = tempHome(t);
  const closed = await freePort();
  const withMlflow = { ANNEAL_HOME: home, MLFLOW_TRACKING_URI: `http://127.0.0.1:${await freePort()}` };
  const cases: { args: string[]; env: NodeJS.ProcessEnv; re: RegExp }[] = [
    { args: ['sweep', 'mlp-smoke', '--queue', 'http://127.0.0.1:6379', ...TINY], env: withMlflow, re: /ANNEAL_ERR_QUEUE_URL: --queue 'http:\/\/127.0.0.1:6379' is not a Redis URL \(scheme 'http' is not redis or rediss\); give redis:\/\/host:port/ },
    { args: ['sweep', 'mlp-smoke', '--queue', 'redis://127.0.0.1:99999', ...TINY], env: withMlflow, re: /ANNEAL_ERR_QUEUE_URL: .*(port|URL)/ },
    { args: ['worker', '--queue', 'redis://127.0.0.1:6379/x'], env: withMlflow, re: /ANNEAL_ERR_QUEUE_URL: .*database 'x' is not an integer/ },
    { args: ['sweep', 'mlp-smoke', ...TINY], env: { ...withMlflow, ANNEAL_QUEUE_URL: 'redis//nope' }, re: /ANNEAL_ERR_QUEUE_URL: ANNEAL_QUEUE_URL 'redis\/\/nope'/ },
    { args: ['sweep', 'mlp-smoke', '--queue', `redis://user:hunter22pw@127.0.0.1:${closed}`, ...TINY], env: withMlflow, re: /ANNEAL_ERR_QUEUE_UNREACHABLE: no Redis answers at redis:\/\/\*\*\*@127.0.0.1:\d+\/0 .*Nothing was started/ },
    { args: ['worker', '--queue', `redis://127.0.0.1:${closed}`], env: withMlflow, re: /ANNEAL_ERR_QUEUE_UNREACHABLE/ },
    { args: ['sweep', 'mlp-smoke', '--queue', `redis://127.0.0.1:${closed}`, ...TINY], env: { ANNEAL_HOME: home }, re: /ANNEAL_ERR_TRACKING_URI: anneal sweep with --queue needs MLFLOW_TRACKING_URI .*Nothing was started/ },
    { args: ['worker', '--queue', `redis://127.0.0.1:${closed}`], env: { ANNEAL_HOME: home }, re: /ANNEAL_ERR_TRACKING_URI: anneal worker with --queue needs MLFLOW_TRACKING_URI/ },
    { args: ['sweep', 'mlp-smoke', '--detach', ...TINY], env: { ANNEAL_HOME: home }, re: /--detach needs --queue/ },
    { args: ['sweep', 'mlp-smoke', '--shard', '2/2', ...TINY], env: { ANNEAL_HOME: home }, re: /ANNEAL_ERR_CONFIG_VALUE: --shard '2\/2' is not allowed; give I\/N with 0 ≤ I < N/ },
  ];
  for (const c of cases) {
    const r = await runToEnd(c.args, c.env);
    t.not(r.code, 0, c.args.join(' '));
    t.regex(r.stderr, c.re, c.args.join(' '));
    t.false(r.stderr.includes('hunter22pw'), 'the password is never printed');
  }
  t.is(runsIn(home), 0, 'no run was started');
});

test('--shard I/N: the shards of a sweep cover every trial exactly once', async (t) => {
  const home = tempHome(t);
  const ids: string[][] = [];
  for (const shard of ['0/3', '1/3', '2/3']) {
    const r = await runToEnd(['sweep', 'mlp-smoke', '--seed', '1', '--seed', '2', '--shard', shard, ...TINY, '--workers', '1', '--json', '--no-plots'], { ANNEAL_HOME: home });
    t.is(r.code, 0, r.stderr);
    ids.push((JSON.parse(r.stdout) as { trials: { id: string }[] }).trials.map((x) => x.id));
  }
  const all = await runToEnd(['sweep', 'mlp-smoke', '--seed', '1', '--seed', '2', ...TINY, '--workers', '2', '--json', '--no-plots'], { ANNEAL_HOME: tempHome(t) });
  const expected = (JSON.parse(all.stdout) as { trials: { id: string }[] }).trials.map((x) => x.id).sort();
  t.is(expected.length, 4);
  t.deepEqual(ids.map((s) => s.length), [2, 1, 1]);
  t.deepEqual(ids.flat().sort(), expected);
});
