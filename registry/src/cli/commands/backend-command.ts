import { createRequire } from 'node:module';
import path from 'node:path';
import { AnnealError } from '@anneal/core';
import { tensorflowLaneNoiseStatus } from '@anneal/plugins-standard';
import { installNativeBackend } from '../../backend/native/install-native-backend.js';
import { NATIVE_BUILDS } from '../../backend/native/native-build-spec.js';
import { BACKEND_CHOICES, selectBackend } from '../../backend/select-backend.js';
import { parse } from '../parse.js';

export const BACKEND_HELP = `Usage: anneal backend install tensorflow [--force] [--strip] [--cache-dir D] [--nodedir D] [--prefix P] [--json]
       anneal backend ls [--json]

install tensorflow   builds the native TensorFlow backend (@tensorflow/tfjs-node) in the project's
                     node_modules from registry packages only: npm install @tensorflow/tfjs-node@4.22.0
                     --ignore-scripts, the TensorFlow C library + headers from the PyPI tensorflow-cpu 2.21.0
                     wheel (pip download, cached), the addon compiled with node-gyp against the local Node
                     headers; then loads it and checks it. Idempotent; 'npm ci' removes it (run it again).
                     With internet, the stock 'npm install @tensorflow/tfjs-node' works as well.
install tensorflow-gpu  the same against the 'tensorflow' wheel and @tensorflow/tfjs-node-gpu (CUDA libraries
                     from the system or the nvidia-* wheels); written down, not yet run on a GPU machine.
ls                   the backends that start here, and the one --backend auto picks.

Options:
  --force            rebuild even when a working build is there
  --strip            strip the libraries' symbols (≈200 MB less on disk)
  --cache-dir D      where the wheel is kept (default $ANNEAL_CACHE_DIR/wheels, else ~/.cache/anneal/wheels)
  --nodedir D        folder with include/node/node_api.h (default: ANNEAL_NODEDIR, node's prefix, /usr, /usr/local)
  --prefix P         the project folder whose node_modules to build into (default: where anneal is installed)
Environment: ANNEAL_PYTHON (python with pip, default python3), CXX.
`;

/** The folder whose node_modules anneal's own tfjs comes from: there tfjs-node must land to be found. */
export function projectRootOfAnneal(): string {
  const corePkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json');
  return path.dirname(path.dirname(path.dirname(path.dirname(corePkg))));
}

async function listBackends(json: boolean): Promise<number> {
  const rows: { backend: string; available: boolean; note: string }[] = [];
  for (const choice of BACKEND_CHOICES.filter((c) => c !== 'auto')) {
    try {
      const selected = await selectBackend(choice);
      // On tensorflow, whether anneal's fused noise op (an op library the install builds) loads, or why not.
      rows.push({ backend: choice, available: true, note: selected.tfjsBackend === 'tensorflow' ? `fused noise op: ${tensorflowLaneNoiseStatus()}` : '' });
    } catch (error) {
      rows.push({ backend: choice, available: false, note: (error as Error).message.replace(/^ANNEAL_ERR_BACKEND: /, '').split(': ').slice(1, 2).join('') });
    }
  }
  const auto = await selectBackend('auto');
  if (json) {
    process.stdout.write(`${JSON.stringify({ auto: auto.name, backends: rows }, null, 2)}\n`);
    return 0;
  }
  for (const r of rows) process.stdout.write(`${r.available ? '✓' : '·'} ${r.backend.padEnd(15)}${r.available ? `${r.backend === auto.name ? 'available — auto picks it' : 'available'}${r.note ? `; ${r.note}` : ''}` : `not available${r.note ? ` (${r.note})` : ''}`}\n`);
  if (!rows.find((r) => r.backend === 'tensorflow')?.available) process.stdout.write("\nBuild the native backend with 'anneal backend install tensorflow'.\n");
  return 0;
}

/** `anneal backend install tensorflow|tensorflow-gpu …` and `anneal backend ls`. */
export async function backendCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('backend', args, {
    force: { type: 'boolean' },
    strip: { type: 'boolean' },
    json: { type: 'boolean' },
    'cache-dir': { type: 'string' },
    nodedir: { type: 'string' },
    prefix: { type: 'string' },
  });
  const [sub, which, ...extra] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(BACKEND_HELP);
    return values.help ? 0 : 2;
  }
  if (sub === 'ls' && which === undefined) return listBackends(values.json === true);
  if (sub !== 'install' || extra.length > 0) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `backend: usage 'anneal backend install tensorflow' or 'anneal backend ls'. See 'anneal backend --help'.`);
  if (which !== 'tensorflow' && which !== 'tensorflow-gpu') {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `backend install: '${which ?? ''}' cannot be built; give one of ${Object.keys(NATIVE_BUILDS).join(', ')} (wasm and cpu come with npm ci).`);
  }
  const log = (line: string) => process.stderr.write(`anneal: ${line}\n`);
  const projectRoot = values.prefix !== undefined ? path.resolve(values.prefix) : projectRootOfAnneal();
  const started = Date.now();
  const result = await installNativeBackend({ backend: which, projectRoot, env, cacheDir: values['cache-dir'], nodedir: values.nodedir, force: values.force === true, strip: values.strip === true, log });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
    return 0;
  }
  const size = `${(result.bytes / 2 ** 20).toFixed(0)} MB`;
  if (result.alreadyBuilt) {
    process.stdout.write(`backend ${result.backend} is already built (TensorFlow ${result.tensorflowVersion}, ${size} in ${result.packageDir}); nothing to do. --force rebuilds it.\n`);
    return 0;
  }
  process.stdout.write(`built backend ${result.backend} in ${((Date.now() - started) / 1000).toFixed(0)} s:\n${result.steps.map((s) => `  - ${s}`).join('\n')}\n  size: ${size} in ${result.packageDir}\n` +
    `--backend auto now picks it; 'npm ci' removes it (run this again after one).\n`);
  return 0;
}
