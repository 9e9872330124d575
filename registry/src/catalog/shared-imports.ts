import { realpathSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SharedImportsData } from './shared-imports-hook.js';

/** Packages a plugin must share with anneal (one engine, one set of registries). */
export const SHARED_PACKAGES: readonly string[] = ['@anneal/', '@tensorflow/tfjs-core', '@tensorflow/tfjs'];

let registered: SharedImportsData | undefined;

function realDir(url: string): string {
  return realpathSync(dirname(fileURLToPath(url)));
}

/** The deepest directory containing every given directory. */
function commonDir(dirs: readonly string[]): string {
  const split = dirs.map((d) => d.split(sep));
  const out: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0][i]); i++) out.push(split[0][i]);
  return out.join(sep) || sep;
}

/**
 * Makes plugins loaded from outside anneal's tree import anneal's own `@anneal/*` and tfjs (see
 * shared-imports-hook.ts). Idempotent; call before importing an external module. Returns what the
 * hook was set up with (anneal's root directory and anchors), for messages and tests.
 */
export function shareAnnealPackages(): SharedImportsData {
  if (registered) return registered;
  const self = import.meta.url;
  const core = import.meta.resolve('@anneal/core');
  const tfjsCore = import.meta.resolve('@tensorflow/tfjs-core');
  const root = commonDir([realDir(self), realDir(core), realDir(tfjsCore)]);
  const data: SharedImportsData = {
    rootURL: pathToFileURL(root.endsWith(sep) ? root : `${root}${sep}`).href,
    anchorURLs: [self, core],
    packages: SHARED_PACKAGES,
  };
  register(new URL('./shared-imports-hook.js', self), { data });
  registered = data;
  return data;
}
