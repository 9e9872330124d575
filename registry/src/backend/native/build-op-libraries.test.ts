import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTensorflowOpLibrary, OP_LIBRARY_MANIFEST, opLibraryDir, recordTensorflowPackageDir, type OpLibraryManifest } from '@anneal/core';
import { selectBackend } from '../select-backend.js';
import { buildOpLibraries, opLibrariesCurrent, opLibrarySource, sourceSha256 } from './build-op-libraries.js';
import { preflightNativeBuild } from './build-preflight.js';
import { defaultWheelCache, nativePackageDir } from './install-native-backend.js';
import { NATIVE_BUILDS } from './native-build-spec.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const spec = NATIVE_BUILDS.tensorflow;
const realPackage = nativePackageDir(spec, projectRoot);
const wheel = path.join(defaultWheelCache(process.env), spec.wheelFile);
const required = (process.env.ANNEAL_CONFORMANCE_BACKENDS ?? '').split(',').includes('tensorflow');
const built = existsSync(path.join(realPackage, 'deps', 'lib', 'libtensorflow_framework.so.2')) && existsSync(wheel);

/** A package folder whose deps/lib is the real build's, so op libraries compile and link here without touching node_modules. */
function scratchPackage(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'anneal-oplib-'));
  mkdirSync(path.join(dir, 'deps'));
  symlinkSync(path.join(realPackage, 'deps', 'lib'), path.join(dir, 'deps', 'lib'));
  return dir;
}

const needsBuild = (title: string, body: (t: import('ava').ExecutionContext) => Promise<void>) =>
  test.serial(title, async (t) => {
    if (!built) {
      if (required) t.fail(`the tensorflow backend and its cached wheel are required here: run 'anneal backend install tensorflow'`);
      else t.pass('skipped: the native backend is not built here');
      return;
    }
    await body(t);
  });

needsBuild('op libraries: compiled against the wheel with a manifest the loader checks; a stale one is rebuilt; a failed compile names the error and keeps the last build', async (t) => {
  const tools = preflightNativeBuild({ projectRoot, env: process.env });
  const pkg = scratchPackage();
  try {
    const lines = await buildOpLibraries(spec, wheel, pkg, tools, process.env, () => {});
    t.regex(lines[0], /compiled anneal's TensorFlow op library lane_noise_add\.so \(\d+ KB\)/);
    const dir = opLibraryDir(pkg);
    const manifest = JSON.parse(readFileSync(path.join(dir, OP_LIBRARY_MANIFEST), 'utf8')) as OpLibraryManifest;
    t.is(manifest.tensorflowVersion, '2.21.0');
    t.is(manifest.libraries.lane_noise_add.sourceSha256, sourceSha256(opLibrarySource(spec.opLibraries[0])));
    t.true(existsSync(path.join(dir, 'lane_noise_add.so')));
    t.true(opLibrariesCurrent(spec, pkg));

    // A source change (here: the manifest's hash) or another TensorFlow makes the build stale.
    writeFileSync(path.join(dir, OP_LIBRARY_MANIFEST), JSON.stringify({ ...manifest, libraries: { lane_noise_add: { ...manifest.libraries.lane_noise_add, sourceSha256: '0'.repeat(64) } } }));
    t.false(opLibrariesCurrent(spec, pkg));
    writeFileSync(path.join(dir, OP_LIBRARY_MANIFEST), JSON.stringify({ ...manifest, tensorflowVersion: '2.9.1' }));
    t.false(opLibrariesCurrent(spec, pkg));
    writeFileSync(path.join(dir, OP_LIBRARY_MANIFEST), JSON.stringify(manifest));

    // A source that does not compile: the compiler's error line in the message, the libraries in place untouched.
    const broken = path.join(pkg, 'broken_op.cc');
    writeFileSync(broken, 'int main( { return 0; }\n');
    const error = await t.throwsAsync(buildOpLibraries({ ...spec, opLibraries: [{ name: 'broken_op', source: broken }] }, wheel, pkg, tools, process.env, () => {}));
    t.regex(error!.message, /ANNEAL_ERR_BACKEND_BUILD|compiling .*broken_op\.cc failed/);
    t.regex(error!.message, /error/);
    t.true(opLibrariesCurrent(spec, pkg), 'the previous build is still in place');
    t.false(existsSync(path.join(dir, 'broken_op.so')));
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

needsBuild('op library loader: refuses a library built for another TensorFlow, from another source, or absent, and says how to rebuild', async (t) => {
  await selectBackend('tensorflow');
  const pkg = mkdtempSync(path.join(tmpdir(), 'anneal-oplib-load-'));
  try {
    recordTensorflowPackageDir(pkg);
    const absent = loadTensorflowOpLibrary('absent_lib', 'abc');
    t.false(absent.ok);
    t.regex((absent as { why: string }).why, /no op libraries in .*anneal-ops: run 'anneal backend install tensorflow' to build it/);
    mkdirSync(opLibraryDir(pkg), { recursive: true });
    const entry = { file: 'x.so', sourceSha256: 'abc', compiledAt: '' };
    writeFileSync(path.join(opLibraryDir(pkg), OP_LIBRARY_MANIFEST), JSON.stringify({ tensorflowVersion: '2.9.1', libraries: { old_tf: entry } }));
    const oldTf = loadTensorflowOpLibrary('old_tf', 'abc');
    t.false(oldTf.ok);
    t.regex((oldTf as { why: string }).why, /built for TensorFlow 2\.9\.1, this process runs 2\.21\.0/);
    writeFileSync(path.join(opLibraryDir(pkg), OP_LIBRARY_MANIFEST), JSON.stringify({ tensorflowVersion: '2.21.0', libraries: { old_source: entry, not_a_library: entry } }));
    const oldSource = loadTensorflowOpLibrary('old_source', 'def');
    t.regex((oldSource as { why: string }).why, /x\.so was built from another version of its source/);
    writeFileSync(path.join(opLibraryDir(pkg), 'x.so'), 'not an ELF file');
    const bad = loadTensorflowOpLibrary('not_a_library', 'abc');
    t.regex((bad as { why: string }).why, /x\.so does not load/);
  } finally {
    recordTensorflowPackageDir(realPackage);
    rmSync(pkg, { recursive: true, force: true });
  }
});
