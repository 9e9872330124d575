import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const tensorflowRequired = (process.env.ANNEAL_CONFORMANCE_BACKENDS ?? '').split(',').includes('tensorflow');

function emptyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-backend-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","private":true}\n');
  return dir;
}

test('backend install: every missing tool is named with its fix, exit 1, and nothing is written', async (t) => {
  const project = emptyProject();
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  const r = await runCli(['backend', 'install', 'tensorflow', '--prefix', project, '--nodedir', join(project, 'no-node-here'), '--cache-dir', join(project, 'cache')], {
    env: { ANNEAL_PYTHON: join(project, 'no-python'), CXX: join(project, 'no-compiler') },
  });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /ANNEAL_ERR_BACKEND_BUILD: cannot build the native backend here; missing:/);
  t.regex(r.stderr, /Python with pip .*no-python -m pip --version' failed.*ANNEAL_PYTHON/);
  t.regex(r.stderr, /a C\+\+ compiler .*no-compiler --version' failed\): apt-get install g\+\+/);
  t.regex(r.stderr, /Node v\d+\.\d+\.\d+ headers \(include\/node\/node_api\.h, looked in .*no-node-here\).*--nodedir/);
  t.regex(r.stderr, /Nothing was changed\./);
  t.deepEqual(readdirSync(project), ['package.json'], 'no node_modules, no cache, no staging folder');
});

test('backend install: only the native backends can be built; the error says which', async (t) => {
  const r = await runCli(['backend', 'install', 'wasm']);
  t.is(r.code, 1);
  t.regex(r.stderr, /ANNEAL_ERR_CONFIG_VALUE: backend install: 'wasm' cannot be built; give one of tensorflow, tensorflow-gpu \(wasm and cpu come with npm ci\)/);
  const usage = await runCli(['backend', 'build']);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /usage 'anneal backend install tensorflow'/);
});

test('backend ls lists cpu and wasm as available; with the native build present, auto picks tensorflow, the fused noise op loads, and install is a no-op', async (t) => {
  const ls = await runCli(['backend', 'ls', '--json']);
  t.is(ls.code, 0, ls.stderr);
  const listed = JSON.parse(ls.stdout) as { auto: string; backends: { backend: string; available: boolean; note: string }[] };
  const available = (b: string) => listed.backends.find((x) => x.backend === b)?.available;
  t.true(available('cpu'));
  t.true(available('wasm'));
  if (!available('tensorflow')) {
    if (tensorflowRequired) t.fail('the tensorflow backend is required here (ANNEAL_CONFORMANCE_BACKENDS) but is not built');
    t.is(listed.auto, 'wasm');
    return;
  }
  t.is(listed.auto, 'tensorflow');
  // The install also builds anneal's op library; ls says whether the fused noise op loads.
  t.regex(listed.backends.find((x) => x.backend === 'tensorflow')!.note, /^fused noise op: in use: (avx512|avx2|avx2-loads|plain) kernel, .*lane_noise_add\.so$/);
  const again = await runCli(['backend', 'install', 'tensorflow', '--json']);
  t.is(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as { alreadyBuilt: boolean; tensorflowVersion: string; bytes: number };
  t.true(result.alreadyBuilt, 'a working build is left alone');
  t.is(result.tensorflowVersion, '2.21.0');
  t.true(result.bytes > 100 * 2 ** 20);
});
