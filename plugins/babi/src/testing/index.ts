import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this file whose package.json has workspaces. */
export function repoRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).workspaces) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repo root not found');
    dir = up;
  }
}

/** Where tests and CI find the real bAbI v1.2 (en, 1k) files: ../shared/data/babi/en beside the repository. */
export const SHARED_BABI_DIR = path.resolve(repoRoot(), '..', 'shared', 'data', 'babi', 'en');
