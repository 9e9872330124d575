import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AnnealError, OP_LIBRARY_MANIFEST, opLibraryDir, opSourceSha256, swapDirIntoPlace, type OpLibraryManifest } from '@anneal/core';
import type { NativeBuildSpec, OpLibrarySpec } from './native-build-spec.js';

/**
 * anneal's TensorFlow op libraries (core's tensorflow-op-library.ts), compiled against the C++ headers of the same
 * wheel the addon links against: `<package>/deps/anneal-ops/<name>.so` and a manifest with the TensorFlow version
 * and each source's SHA-256, which is what the loader checks before it loads one. Built in a staging folder and
 * swapped into place, so a failed build leaves the previous libraries (or none), never half of them.
 */

// Copies every member under tensorflow/include/ out of the wheel (the C++ headers: TensorFlow, tsl, absl, Eigen, protobuf).
const EXTRACT_HEADERS_PY = `
import os, shutil, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = 'tensorflow/include/'
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.is_dir(): continue
        target = os.path.join(dest, info.filename[len(prefix):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, 'wb') as out: shutil.copyfileobj(src, out, 1 << 20)
`;

export function opLibrarySource(library: OpLibrarySpec): string {
  return createRequire(import.meta.url).resolve(library.source);
}

/** The source's SHA-256, headers beside it included (core's opSourceSha256): what the manifest records. */
export function sourceSha256(file: string): string {
  return opSourceSha256(file);
}

/** Whether the libraries in place were built for this TensorFlow from the current sources (so nothing needs building). */
export function opLibrariesCurrent(spec: NativeBuildSpec, packageDir: string): boolean {
  const dir = opLibraryDir(packageDir);
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, OP_LIBRARY_MANIFEST), 'utf8')) as OpLibraryManifest;
    if (manifest.tensorflowVersion !== spec.tensorflowVersion) return false;
    return spec.opLibraries.every((lib) => {
      const entry = manifest.libraries[lib.name];
      return entry !== undefined && existsSync(path.join(dir, entry.file)) && entry.sourceSha256 === sourceSha256(opLibrarySource(lib));
    });
  } catch {
    return false;
  }
}

export interface OpBuildTools {
  readonly python: string;
  readonly cxx: string;
  readonly nodedir: string;
}

/** Compiles every op library of `spec` into `<packageDir>/deps/anneal-ops`; returns one line per library built. */
export async function buildOpLibraries(spec: NativeBuildSpec, wheel: string, packageDir: string, tools: OpBuildTools, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string[]> {
  const work = mkdtempSync(path.join(packageDir, '.anneal-ops-build-'));
  try {
    const include = path.join(work, 'include');
    log(`unpacking the TensorFlow C++ headers from ${path.basename(wheel)}`);
    const x = spawnSync(tools.python, ['-c', EXTRACT_HEADERS_PY, wheel, include], { env, encoding: 'utf8' });
    if (x.status !== 0) throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `unpacking the headers of ${path.basename(wheel)} failed: ${x.stderr.trim().split('\n').slice(-2).join(' | ')}. Delete it from the cache and run again.`);
    const staging = path.join(work, 'out');
    mkdirSync(staging);
    const libDir = path.join(packageDir, 'deps', 'lib');
    const manifest: { tensorflowVersion: string; libraries: Record<string, { file: string; sourceSha256: string; compiledAt: string }> } = { tensorflowVersion: spec.tensorflowVersion, libraries: {} };
    const lines: string[] = [];
    for (const lib of spec.opLibraries) {
      const source = opLibrarySource(lib);
      const file = `${lib.name}.so`;
      const args = [
        '-std=c++17', '-shared', '-fPIC', '-O3',
        '-ffp-contract=off', // no fused multiply-adds: the kernels must round as the JS reference does
        '-Wno-deprecated-declarations',
        '-D_GLIBCXX_USE_CXX11_ABI=1', '-DEIGEN_MAX_ALIGN_BYTES=64', // what tf.sysconfig.get_compile_flags() gives for this wheel
        `-I${include}`, `-I${path.join(tools.nodedir, 'include', 'node')}`,
        source, '-o', path.join(staging, file),
        `-L${libDir}`, '-l:libtensorflow_framework.so.2', "-Wl,-rpath,$ORIGIN/../lib",
      ];
      log(`compiling ${path.basename(source)} → deps/anneal-ops/${file}`);
      const c = spawnSync(tools.cxx, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (c.status !== 0) {
        const errors = `${c.stderr}`.split('\n').filter((l) => /error/.test(l)).slice(0, 6).join('\n    ');
        throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `compiling ${source} failed (exit ${c.status ?? c.signal}):\n    ${errors || c.stderr.trim().split('\n').slice(-6).join('\n    ')}\nThe backend itself is built; without this library the noise plugins use their host path.`);
      }
      manifest.libraries[lib.name] = { file, sourceSha256: sourceSha256(source), compiledAt: new Date().toISOString() };
      lines.push(`compiled anneal's TensorFlow op library ${file} (${(statSync(path.join(staging, file)).size / 1024).toFixed(0)} KB) from ${path.basename(source)}`);
    }
    writeFileSync(path.join(staging, OP_LIBRARY_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await swapDirIntoPlace(staging, opLibraryDir(packageDir));
    return lines;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Loads the backend and the fused noise op in a fresh Node process run from the project, and checks the op against
 * the JS reference bit for bit on three tensors (39,907 values: three chunks, so two units, one of them a lone chunk).
 */
export function verifyOpLibraries(projectRoot: string, env: NodeJS.ProcessEnv): { ok: true; kernel: string } | { ok: false; why: string } {
  const script = `
    import { selectBackend } from '@anneal/registry';
    import { Rng } from '@anneal/core';
    import { referenceNoiseOps, tensorflowLaneNoise, tensorflowLaneNoiseStatus } from '@anneal/plugins-standard';
    import * as tf from '@tensorflow/tfjs-core';
    await selectBackend('tensorflow');
    const kernel = tensorflowLaneNoise();
    if (!kernel) { process.stdout.write(JSON.stringify({ ok: false, why: tensorflowLaneNoiseStatus() })); process.exit(0); }
    const grads = { a: tf.linspace(-1, 1, 30000).reshape([200, 150]), b: tf.ones([99, 100]), c: tf.zeros([7]) };
    const want = referenceNoiseOps.addNoise(grads, referenceNoiseOps.gaussianNoise(39907, 12345, 0.7));
    const got = kernel.add(grads, kernel.seeds(39907, 12345, 0.7));
    const same = Object.keys(grads).every((k) => want[k].dataSync().every((v, i) => Object.is(v, got[k].dataSync()[i])));
    process.stdout.write(JSON.stringify(same ? { ok: true, kernel: kernel.file } : { ok: false, why: 'the op gave other values than the JS reference' }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...env, TF_CPP_MIN_LOG_LEVEL: '2' }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const lines = (r.stderr || r.stdout).trim().split('\n');
    return { ok: false, why: lines.find((l) => /Error/.test(l)) ?? lines.slice(-3).join(' | ') };
  }
  try {
    return JSON.parse(r.stdout) as { ok: true; kernel: string } | { ok: false; why: string };
  } catch {
    return { ok: false, why: `unexpected output from the op check: ${r.stdout.slice(0, 200)}` };
  }
}
