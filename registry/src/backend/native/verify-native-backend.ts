import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { NativeBuildSpec } from './native-build-spec.js';

export type NativeCheck =
  | { readonly ok: true; readonly tensorflowVersion: string; readonly tfjsBackend: string }
  | { readonly ok: false; readonly why: string };

/**
 * Loads the built addon in a fresh Node process (a failed load must not take this one down) and checks it for
 * real: the backend is `tensorflow`, TF_Version is the pinned one, and a 2×2 matMul gives the hand-computed product.
 */
export function verifyNativeBackend(spec: NativeBuildSpec, packageDir: string, env: NodeJS.ProcessEnv): NativeCheck {
  if (!existsSync(packageDir)) return { ok: false, why: `${spec.npmPackage} is not installed` };
  const script = `
    const tf = require(${JSON.stringify(packageDir)});
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    tf.matMul(a, a).data().then((p) => {
      process.stdout.write(JSON.stringify({ backend: tf.getBackend(), version: tf.backend().binding.TF_Version, product: Array.from(p) }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...env, TF_CPP_MIN_LOG_LEVEL: '2' }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').find((l) => /Error|error|cannot|not found/.test(l)) ?? (r.stderr || '').trim().split('\n')[0];
    return { ok: false, why: `loading ${spec.npmPackage} failed: ${why}` };
  }
  try {
    const got = JSON.parse(r.stdout) as { backend: string; version: string; product: number[] };
    if (got.version !== spec.tensorflowVersion) return { ok: false, why: `TF_Version is ${got.version}, not the pinned ${spec.tensorflowVersion}` };
    if (got.product.join(',') !== '7,10,15,22') return { ok: false, why: `a 2×2 matMul gave ${got.product.join(',')}, not 7,10,15,22` };
    return { ok: true, tensorflowVersion: got.version, tfjsBackend: got.backend };
  } catch {
    return { ok: false, why: `unexpected output from the load check: ${r.stdout.slice(0, 200)}` };
  }
}
