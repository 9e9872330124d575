import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { tempHome } from './sweep-cli.js';

const cases: [string, string[], number, RegExp][] = [
  ['unknown recipe', ['sweep', 'mlp-smok'], 1, /^anneal: ANNEAL_ERR_RECIPE_UNKNOWN: unknown recipe 'mlp-smok'\. Did you mean 'mlp-smoke'\? See 'anneal recipes ls'\.$/m],
  ['bad --set key', ['sweep', 'mlp-smoke', '--set', 'optimizer.learningRate=0.1'], 1, /^anneal: ANNEAL_ERR_CONFIG_KEY: cannot set 'optimizer\.learningRate': use optimizer\.name or optimizer\.config\.<key>\.$/m],
  ['misspelt training key', ['sweep', 'mlp-smoke', '--set', 'training.epoch=1'], 1, /^anneal: ANNEAL_ERR_RECIPE_INVALID: recipe 'mlp-smoke': unknown training key 'epoch'\. Did you mean 'epochs'\?/m],
  ['bad plugin config value', ['sweep', 'mlp-smoke', '--set', 'plugins.clip-global-norm.maxNorm=-1'], 1, /^anneal: ANNEAL_ERR_CONFIG_VALUE: .*maxNorm/m],
  ['bad --workers', ['sweep', 'mlp-smoke', '--workers', '0'], 1, /^anneal: ANNEAL_ERR_CONFIG_VALUE: --workers '0' is not allowed; it must be an integer ≥ 1/m],
  ['no recipe', ['sweep'], 2, /^anneal: ANNEAL_ERR_CLI_USAGE: sweep: give one recipe name/m],
  ['resume with --set', ['sweep', '--resume', 'abcd', '--set', 'training.epochs=1'], 2, /--resume continues the sweep exactly as planned/],
  ['unknown sweep', ['sweep', '--resume', 'abcdef'], 1, /^anneal: ANNEAL_ERR_RUN_UNKNOWN: no run 'abcdef' in /m],
  ['bad report format', ['report', 'mlp-smoke', '--format', 'xml'], 2, /^anneal: ANNEAL_ERR_CLI_USAGE: report: --format 'xml' is not one of md, csv, json\.$/m],
  ['report without runs', ['report', 'mlp-smoke'], 1, /^anneal: ANNEAL_ERR_RUN_UNKNOWN: no runs of recipe 'mlp-smoke' in .*\. Start them with: anneal sweep mlp-smoke$/m],
];

for (const [name, args, code, message] of cases) {
  test(`bad input: ${name} → exit ${code}, a clear message, no run written`, async (t) => {
    const home = tempHome(t);
    const r = await runCli(args, { env: { ANNEAL_HOME: home, MLFLOW_TRACKING_URI: '' } });
    t.is(r.code, code, r.stderr);
    t.regex(r.stderr, message);
    const runs = join(home, 'runs');
    t.true(!existsSync(runs) || readdirSync(runs).length === 0, 'nothing in the store');
  });
}

test('sweep and report --help', async (t) => {
  for (const cmd of ['sweep', 'report']) {
    const r = await runCli([cmd, '--help']);
    t.is(r.code, 0);
    t.regex(r.stdout, new RegExp(`^Usage: anneal ${cmd} `));
  }
  const main = await runCli(['--help']);
  t.regex(main.stdout, /sweep <recipe> +run a recipe's trials in parallel worker processes/);
  t.regex(main.stdout, /report <recipe\|sweep> +rebuild the paper's tables/);
});
