import test from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

/**
 * Bad Neural GPU configs through the real CLI (`anneal run ngpu-table5 --quick --set …`): each fails at start
 * with exit code 1 and ANNEAL_ERR_CONFIG_VALUE naming the key and the fix, and nothing is written.
 * The quick variant trains badd up to length 9 and tests at length 21 (two 10-bit operands: 21 positions).
 */
const CASES: readonly { set: string; key: string; message: RegExp }[] = [
  {
    set: 'dataset.config.padTo=16',
    key: 'padTo',
    message: /ANNEAL_ERR_CONFIG_VALUE: dataset 'binary-arith': padTo = 16: test examples of length 21 \(two 10-bit operands and the operator\) need 21 positions and do not fit the padded width; set padTo ≥ 21/,
  },
  { set: 'model.config.m=0', key: 'm', message: /ANNEAL_ERR_CONFIG_VALUE: model 'neural-gpu': config 'm' = 0 is not allowed; it must be an integer ≥ 1/ },
  {
    set: 'dataset.config.testLength=7',
    key: 'testLength',
    message: /ANNEAL_ERR_CONFIG_VALUE: dataset 'binary-arith': testLength = 7: the test length is below the training length \(trainMaxLength = 9\).*Set testLength ≥ 9\./,
  },
];

for (const c of CASES) {
  test(`anneal run ngpu-table5 --quick --set ${c.set}: exit 1, ANNEAL_ERR_CONFIG_VALUE naming '${c.key}', nothing written`, async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'anneal-ngpu-bad-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const r = await runCli(['run', 'ngpu-table5', '--quick', '--set', c.set], { env: { ANNEAL_HOME: home } });
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, c.message);
    t.true(r.stderr.includes(`${c.key} = `) || r.stderr.includes(`'${c.key}'`), 'the message names the key');
    t.deepEqual(readdirSync(home), [], 'no run directory, no store');
  });
}
