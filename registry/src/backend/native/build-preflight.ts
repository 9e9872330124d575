import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AnnealError } from '@anneal/core';

/** What the native build needs from the machine, found before anything is written. */
export interface BuildTools {
  /** A Python with pip (fetches the wheel; also unzips it). */
  readonly python: string;
  /** The folder holding include/node/node_api.h (node-gyp's --nodedir). */
  readonly nodedir: string;
  /** node-gyp's bin script. */
  readonly nodeGyp: string;
  readonly cxx: string;
}

export interface PreflightOptions {
  readonly projectRoot: string;
  readonly env: NodeJS.ProcessEnv;
  /** --nodedir; else ANNEAL_NODEDIR, the prefix of this node, /usr, /usr/local. */
  readonly nodedir?: string;
}

function runs(command: string, args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(command, args, { env, encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : undefined;
}

function glibcAtLeast(major: number, minor: number): boolean {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const [a = 0, b = 0] = (header?.glibcVersionRuntime ?? '0.0').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function findNodeGyp(projectRoot: string): string | undefined {
  try {
    const pkg = createRequire(path.join(projectRoot, 'package.json')).resolve('node-gyp/package.json');
    const bin = path.join(path.dirname(pkg), 'bin', 'node-gyp.js');
    if (existsSync(bin)) return bin;
  } catch {
    // not a dependency here: npm's own node-gyp below
  }
  const bundled = path.join(path.dirname(path.dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? bundled : undefined;
}

/**
 * Checks everything the build needs and says exactly what is missing (all of it at once), before the build
 * touches node_modules: Linux x86_64 with AVX and glibc ≥ 2.27 (what the wheel's library needs), Python with pip,
 * a C++ compiler and make, the Node headers, node-gyp.
 */
export function preflightNativeBuild(options: PreflightOptions): BuildTools {
  const { env } = options;
  const missing: string[] = [];
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    missing.push(`a Linux x86_64 machine (this is ${process.platform}/${process.arch}); elsewhere use the stock 'npm install @tensorflow/tfjs-node' with internet access`);
  } else {
    if (!glibcAtLeast(2, 27)) missing.push('glibc ≥ 2.27 (the TensorFlow wheel is manylinux_2_27)');
    const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
    if (!/\bavx\b/.test(cpuinfo)) missing.push('a CPU with AVX (the TensorFlow library is built for it)');
  }
  const python = env.ANNEAL_PYTHON ?? 'python3';
  if (runs(python, ['-m', 'pip', '--version'], env) === undefined) {
    missing.push(`Python with pip ('${python} -m pip --version' failed): install python3 and python3-pip (apt-get install python3-pip), or point ANNEAL_PYTHON at one`);
  }
  const cxx = env.CXX ?? 'c++';
  if (runs(cxx, ['--version'], env) === undefined) missing.push(`a C++ compiler ('${cxx} --version' failed): apt-get install g++ (or set CXX)`);
  if (runs('make', ['--version'], env) === undefined) missing.push("make ('make --version' failed): apt-get install make");
  const candidates = options.nodedir !== undefined ? [options.nodedir] : [env.ANNEAL_NODEDIR, path.dirname(path.dirname(process.execPath)), '/usr', '/usr/local'].filter((d): d is string => !!d);
  const nodedir = candidates.find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')));
  if (nodedir === undefined) {
    missing.push(
      `the Node ${process.version} headers (include/node/node_api.h, looked in ${candidates.join(', ')}): install the distribution's nodejs headers ` +
        '(Debian: libnode-dev / nodejs with headers) or unpack node-<version>-headers.tar.gz and pass --nodedir <dir>',
    );
  }
  const nodeGyp = findNodeGyp(options.projectRoot);
  if (nodeGyp === undefined) missing.push("node-gyp (neither in the project's node_modules nor inside npm): npm install --no-save node-gyp");
  if (missing.length > 0) {
    throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `cannot build the native backend here; missing:\n  - ${missing.join('\n  - ')}\nNothing was changed.`, { missing });
  }
  return { python, nodedir: nodedir!, nodeGyp: nodeGyp!, cxx };
}
