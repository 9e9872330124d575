import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real PTB folder for tests and benchmarks: ANNEAL_PTB_DIR, else the project's shared copy
 * `<repo>/../shared/data/ptb`; undefined when neither holds ptb.train.txt.
 */
export function realPtbDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url)); // plugins/ptb/dist
  for (const c of [env.ANNEAL_PTB_DIR, path.resolve(here, '..', '..', '..', '..', 'shared', 'data', 'ptb')]) {
    if (c && existsSync(path.join(c, 'ptb.train.txt'))) return c;
  }
  return undefined;
}
