import test from 'ava';
import { join } from 'node:path';
import { SHARED_DATA, runCli } from '../helpers/run-cli.js';

const env = { ANNEAL_BABI_DIR: join(SHARED_DATA, 'babi', 'en') };

test('anneal data sample: readable examples of MNIST and bAbI, as text and JSON', async (t) => {
  const mnist = await runCli(['data', 'sample', 'mnist', '--n', '2', '--json'], { env });
  t.is(mnist.code, 0, mnist.stderr);
  const m = JSON.parse(mnist.stdout) as { size: number; examples: { index: number; label: number; image: string }[] };
  t.is(m.size, 60000);
  t.deepEqual(m.examples.map((e) => [e.index, e.label]), [[0, 5], [1, 0]], 'the first two training digits of the IDX file are a 5 and a 0');
  t.is(m.examples[0].image.split('\n').length, 14);
  const babi = await runCli(['data', 'sample', 'babi', '--set', 'dataset.config.task=2', '--n', '1'], { env });
  t.is(babi.code, 0, babi.stderr);
  t.regex(babi.stdout, /# babi train\[0\] of \d+\nindex: 0\ntask: 2\nsource: qa2_two-supporting-facts_train\.txt:\d+\nstory:\n {2}1\. /);
  t.regex(babi.stdout, /question: where is the football\nanswer: \w+/);
});

test('anneal data sample: a bad split or count is named with what is allowed', async (t) => {
  const a = await runCli(['data', 'sample', 'mnist', '--split', 'tests'], { env });
  t.is(a.code, 1);
  t.regex(a.stderr, /--split 'tests' is not allowed; use one of train, validation, test\. Did you mean 'test'\?/);
  const b = await runCli(['data', 'sample', 'mnist', '--n', '0'], { env });
  t.regex(b.stderr, /--n "0" is not allowed; it must be an integer ≥ 1/);
  const c = await runCli(['data', 'sample', 'mnst'], { env });
  t.regex(c.stderr, /unknown dataset 'mnst'.*Did you mean 'mnist'\?/);
});

test('anneal data sample table-qa: question, template, answer and a compact table in each mode', async (t) => {
  for (const mode of ['single-column', 'multi-column', 'text-entries']) {
    const r = await runCli(['data', 'sample', 'table-qa', '--n', '3', '--set', `dataset.config.mode=${mode}`]);
    t.is(r.code, 0, r.stderr);
    const blocks = r.stdout.trim().split('\n\n# ');
    t.is(blocks.length, 3, mode);
    for (const b of blocks) {
      t.regex(b, /\ntemplate: [a-z-]+\ncategory: [a-z]+\nquestion: [\w:.\- ]+\nrows: \d+\ntable:\n {2}rows 1–1[05] +A +/, `${mode}: ${b.slice(0, 200)}`);
      t.regex(b, /\nanswer: .+$/);
      // At most 100 rows of ≤ 5 columns: 15 rows a line (10 for text words).
      t.true(b.split('\n').length < 60, `${mode}: ${b.split('\n').length} lines`);
    }
  }
});
