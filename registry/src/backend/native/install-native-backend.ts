import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { AnnealError, opLibraryDir } from '@anneal/core';
import { buildOpLibraries, opLibrariesCurrent, verifyOpLibraries } from './build-op-libraries.js';
import { preflightNativeBuild } from './build-preflight.js';
import { NATIVE_BUILDS, type NativeBuildSpec } from './native-build-spec.js';
import { ensureWheel, stageTensorflowDeps } from './stage-tensorflow-deps.js';
import { verifyNativeBackend } from './verify-native-backend.js';

export interface InstallNativeOptions {
  readonly backend: NativeBuildSpec['backend'];
  /** The folder whose node_modules anneal runs from. */
  readonly projectRoot: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the wheel is kept between builds (default ANNEAL_CACHE_DIR/wheels, else ~/.cache/anneal/wheels). */
  readonly cacheDir?: string;
  readonly nodedir?: string;
  /** Rebuild even when a working build is there. */
  readonly force?: boolean;
  readonly strip?: boolean;
  readonly log: (line: string) => void;
}

export interface InstallNativeResult {
  readonly backend: NativeBuildSpec['backend'];
  readonly alreadyBuilt: boolean;
  readonly packageDir: string;
  readonly tensorflowVersion: string;
  /** Bytes the build added under the package (deps/ + the addon). */
  readonly bytes: number;
  /** What was done, in order. */
  readonly steps: readonly string[];
}

export function defaultWheelCache(env: NodeJS.ProcessEnv): string {
  return env.ANNEAL_CACHE_DIR ? path.join(env.ANNEAL_CACHE_DIR, 'wheels') : path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'anneal', 'wheels');
}

export function nativePackageDir(spec: NativeBuildSpec, projectRoot: string): string {
  return path.join(projectRoot, 'node_modules', ...spec.npmPackage.split('/'));
}

function installedVersion(packageDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function diskBytes(dir: string): number {
  const r = spawnSync('du', ['-sbL', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : 0;
}

function run(what: string, command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, fix: string): void {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n    ');
    throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `${what} failed (exit ${r.status ?? r.signal}):\n    ${tail}\n${fix}`);
  }
}

function checkOpLibraries(projectRoot: string, packageDir: string, env: NodeJS.ProcessEnv): string {
  const check = verifyOpLibraries(projectRoot, env);
  if (!check.ok) rmSync(opLibraryDir(packageDir), { recursive: true, force: true }); // not left in place: the next run builds them again
  if (!check.ok) throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `anneal's op libraries were built but fail their check: ${check.why}. Run again with --force; report it if it persists.`);
  return `loaded ${check.kernel}: the fused noise op gives the JS reference's values bit for bit`;
}

/**
 * `anneal backend install tensorflow`: the native TensorFlow backend built from registry packages only —
 * tfjs-node's JS and addon sources from npm (its download script skipped), the TensorFlow C library and headers
 * from the PyPI wheel (cached), the addon compiled with node-gyp against the local Node headers — then loaded
 * and checked; then anneal's op libraries, compiled against the wheel's C++ headers and checked.
 * Idempotent: a working build is left alone unless `force` (op libraries from an older source are rebuilt).
 */
export async function installNativeBackend(options: InstallNativeOptions): Promise<InstallNativeResult> {
  const spec = NATIVE_BUILDS[options.backend];
  const { projectRoot, env, log } = options;
  const tools = preflightNativeBuild({ projectRoot, env, nodedir: options.nodedir });
  const packageDir = nativePackageDir(spec, projectRoot);
  const steps: string[] = [];
  const cacheDir = options.cacheDir ?? defaultWheelCache(env);
  if (!options.force && installedVersion(packageDir) === spec.npmVersion) {
    const check = verifyNativeBackend(spec, packageDir, env);
    if (check.ok) {
      const current = opLibrariesCurrent(spec, packageDir);
      if (!current) {
        // The backend is there, its op libraries are missing or from an older source: build only those.
        const wheel = ensureWheel(spec, cacheDir, tools.python, env, log);
        steps.push(...(await buildOpLibraries(spec, wheel.path, packageDir, tools, env, log)));
        steps.push(checkOpLibraries(projectRoot, packageDir, env));
      }
      return { backend: spec.backend, alreadyBuilt: current, packageDir, tensorflowVersion: check.tensorflowVersion, bytes: diskBytes(packageDir), steps };
    }
  }

  if (installedVersion(packageDir) !== spec.npmVersion) {
    log(`npm install ${spec.npmPackage}@${spec.npmVersion} --ignore-scripts --no-save`);
    run(`npm install ${spec.npmPackage}@${spec.npmVersion}`, 'npm', ['install', `${spec.npmPackage}@${spec.npmVersion}`, '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], projectRoot, env, 'Check that the npm registry is reachable.');
    steps.push(`installed ${spec.npmPackage}@${spec.npmVersion} (install script skipped)`);
  }

  const wheel = ensureWheel(spec, cacheDir, tools.python, env, log);
  steps.push(`${wheel.downloaded ? 'downloaded' : 'reused cached'} ${spec.wheelFile}`);

  log(`staging the TensorFlow ${spec.tensorflowVersion} C library and headers into ${path.join(packageDir, 'deps')}`);
  await stageTensorflowDeps(spec, wheel.path, packageDir, tools.python, env, options.strip ?? false);
  steps.push(`staged ${spec.libraries.join(', ')}${options.strip ? ' (stripped)' : ''} and ${spec.headers.length} C API headers into deps/`);

  log(`compiling the addon with node-gyp (--nodedir=${tools.nodedir})`);
  const preGyp = path.join(packageDir, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const preGypBin = existsSync(preGyp) ? preGyp : path.join(projectRoot, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  try {
    run(
      'compiling the tfjs-node addon',
      process.execPath,
      [preGypBin, 'install', '--build-from-source', `--nodedir=${tools.nodedir}`],
      packageDir,
      { ...env, npm_config_node_gyp: tools.nodeGyp, CXX: tools.cxx },
      `Check the compiler and the Node headers in ${tools.nodedir}/include/node.`,
    );
  } catch (error) {
    rmSync(path.join(packageDir, 'build'), { recursive: true, force: true });
    rmSync(path.join(packageDir, 'lib'), { recursive: true, force: true });
    throw error;
  }
  steps.push(`compiled ${path.join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node')}`);

  const check = verifyNativeBackend(spec, packageDir, env);
  if (!check.ok) throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `the build finished but the backend does not load: ${check.why}. Run again with --force; report it if it persists.`);
  steps.push(`loaded: backend '${check.tfjsBackend}', TensorFlow ${check.tensorflowVersion}, a 2×2 matMul correct`);
  steps.push(...(await buildOpLibraries(spec, wheel.path, packageDir, tools, env, log)));
  steps.push(checkOpLibraries(projectRoot, packageDir, env));
  return { backend: spec.backend, alreadyBuilt: false, packageDir, tensorflowVersion: check.tensorflowVersion, bytes: diskBytes(packageDir), steps };
}
