import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * anneal's own TensorFlow kernels (op libraries), on the tensorflow backend. `anneal backend install tensorflow`
 * compiles each one against the headers of the TensorFlow wheel the backend links against, into
 * `<tfjs-node>/deps/anneal-ops/<name>.so`, and writes a manifest beside them. Loading one registers its ops in the
 * process's TensorFlow, so tfjs-node runs them by name, eagerly and inside a captured graph.
 *
 * A library is loaded only when it matches what runs: the manifest's TensorFlow version must be the loaded one's,
 * and its source hash the one the calling package ships (a library built from an older source is skipped, with
 * the reason). Callers fall back to their plain path when a library does not load.
 */
export const OP_LIBRARY_DIR = 'anneal-ops';
export const OP_LIBRARY_MANIFEST = 'manifest.json';

export interface OpLibraryManifest {
  readonly tensorflowVersion: string;
  readonly libraries: Readonly<Record<string, { readonly file: string; readonly sourceSha256: string; readonly compiledAt: string }>>;
}

export type OpLibraryLoad = { readonly ok: true; readonly exports: Readonly<Record<string, unknown>>; readonly file: string } | { readonly ok: false; readonly why: string };

let tensorflowPackageDir: string | undefined;
const loaded = new Map<string, OpLibraryLoad>();

/**
 * The SHA-256 of an op library's source: the C++ file and each header it includes by a quoted name found beside it
 * (`#include "x.h"`, then that header's own, each once), in the order they are first included. The build writes it
 * into the manifest and the loader compares it, so a library built before any of these files changed is not loaded.
 */
export function opSourceSha256(file: string): string {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const add = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    const text = readFileSync(f);
    hash.update(`${path.basename(f)}\n`).update(text);
    for (const m of text.toString('utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
      const local = path.join(path.dirname(f), m[1]!);
      if (existsSync(local)) add(local);
    }
  };
  add(file);
  return hash.digest('hex');
}

/** Records the folder of the tfjs-node package that provides the tensorflow backend (the backend selection calls this). */
export function recordTensorflowPackageDir(dir: string): void {
  tensorflowPackageDir = dir;
}

/** Where op libraries live for a tfjs-node package folder. */
export function opLibraryDir(packageDir: string): string {
  return path.join(packageDir, 'deps', OP_LIBRARY_DIR);
}

function loadedTensorflowVersion(): string | undefined {
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
  return binding?.TF_Version;
}

/**
 * Loads op library `name` (once per process) when the tensorflow backend is active and the library was built for
 * this TensorFlow from the source whose SHA-256 is `sourceSha256`; otherwise says why not.
 */
export function loadTensorflowOpLibrary(name: string, sourceSha256: string): OpLibraryLoad {
  const known = loaded.get(name);
  if (known) return known;
  if (tf.getBackend() !== 'tensorflow') return { ok: false, why: `the backend is '${tf.getBackend()}', not 'tensorflow'` }; // not cached: the backend may still change
  const result = tryLoad(name, sourceSha256);
  loaded.set(name, result);
  return result;
}

function tryLoad(name: string, sourceSha256: string): OpLibraryLoad {
  if (tensorflowPackageDir === undefined) return { ok: false, why: 'the tensorflow backend was not started by anneal (no package folder recorded)' };
  const dir = opLibraryDir(tensorflowPackageDir);
  const rebuild = `run 'anneal backend install tensorflow' to build it`;
  const manifestFile = path.join(dir, OP_LIBRARY_MANIFEST);
  if (!existsSync(manifestFile)) return { ok: false, why: `no op libraries in ${dir}: ${rebuild}` };
  let manifest: OpLibraryManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as OpLibraryManifest;
  } catch (error) {
    return { ok: false, why: `${manifestFile} is not readable JSON (${(error as Error).message}): ${rebuild}` };
  }
  const version = loadedTensorflowVersion();
  if (manifest.tensorflowVersion !== version) return { ok: false, why: `${dir} was built for TensorFlow ${manifest.tensorflowVersion}, this process runs ${version ?? 'an unknown version'}: ${rebuild}` };
  const entry = manifest.libraries?.[name];
  if (!entry) return { ok: false, why: `${manifestFile} lists no '${name}': ${rebuild}` };
  if (entry.sourceSha256 !== sourceSha256) return { ok: false, why: `${entry.file} was built from another version of its source: ${rebuild}` };
  const file = path.join(dir, entry.file);
  const module = { exports: {} as Record<string, unknown> };
  try {
    process.dlopen(module, file);
  } catch (error) {
    return { ok: false, why: `${file} does not load (${(error as Error).message.split('\n')[0]}): ${rebuild}` };
  }
  return { ok: true, exports: module.exports, file };
}
