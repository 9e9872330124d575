import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AnnealError } from '@anneal/core';

/** The 20 bAbI task names (v1.2); file names are `qa<N>_<name>_{train,test}.txt`. */
export const BABI_TASK_NAMES: readonly string[] = Object.freeze([
  'single-supporting-fact',
  'two-supporting-facts',
  'three-supporting-facts',
  'two-arg-relations',
  'three-arg-relations',
  'yes-no-questions',
  'counting',
  'lists-sets',
  'simple-negation',
  'indefinite-knowledge',
  'basic-coreference',
  'conjunction',
  'compound-coreference',
  'time-reasoning',
  'basic-deduction',
  'basic-induction',
  'positional-reasoning',
  'size-reasoning',
  'path-finding',
  'agents-motivations',
]);

export const FIX_HINT =
  'Set the dataset config `dataDir` (the folder holding qa1_..._train.txt), or the environment variable ANNEAL_BABI_DIR, ' +
  'or run `anneal data fetch babi` to download bAbI v1.2 into <ANNEAL_DATA_DIR or ./.anneal/data>/babi/en.';

export interface BabiDirSources {
  /** Dataset config `dataDir` (highest priority). */
  readonly configDir?: string;
  /** The trainer's resolved data root (DatasetLoadContext.dataDir). */
  readonly contextDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

function hasTaskFiles(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).some((f) => /^qa\d+_.+_train\.txt$/.test(f));
  } catch {
    return false;
  }
}

/**
 * A given directory may be the `en` folder itself, the tarball root (holding `en/`) or a data root (holding
 * `babi/en/`); returns the first of these that holds bAbI files, else the directory as given.
 */
function expand(dir: string): string {
  for (const c of [dir, path.join(dir, 'en'), path.join(dir, 'babi', 'en')]) if (hasTaskFiles(c)) return c;
  return dir;
}

/**
 * Resolves the bAbI `en` directory: config `dataDir`, else ANNEAL_BABI_DIR, else
 * `<DatasetLoadContext.dataDir or ANNEAL_DATA_DIR or ./.anneal/data>/babi/en`.
 * Returns the chosen path and how it was chosen (for messages). Does not check that it exists.
 */
export function resolveBabiDir(src: BabiDirSources = {}): { dir: string; source: string } {
  const env = src.env ?? process.env;
  const cwd = src.cwd ?? process.cwd();
  if (src.configDir) return { dir: expand(path.resolve(cwd, src.configDir)), source: 'dataset config dataDir' };
  if (env.ANNEAL_BABI_DIR) return { dir: expand(path.resolve(cwd, env.ANNEAL_BABI_DIR)), source: 'ANNEAL_BABI_DIR' };
  if (src.contextDir) return { dir: expand(path.resolve(cwd, src.contextDir)), source: 'the run data directory' };
  const root = env.ANNEAL_DATA_DIR ? path.resolve(cwd, env.ANNEAL_DATA_DIR) : path.resolve(cwd, '.anneal', 'data');
  return { dir: path.join(root, 'babi', 'en'), source: env.ANNEAL_DATA_DIR ? 'ANNEAL_DATA_DIR/babi/en' : 'the default ./.anneal/data/babi/en' };
}

/** Finds `qa<task>_*_train.txt` and `..._test.txt` in `dir`, or throws ANNEAL_ERR_DATA_MISSING. */
export function findTaskFiles(dir: string, task: number, source = 'the given directory'): { train: string; test: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `bAbI data directory ${dir} (from ${source}) does not exist. ${FIX_HINT}`, { path: dir, source });
  }
  const files = readdirSync(dir);
  const pick = (kind: 'train' | 'test'): string => {
    const re = new RegExp(`^qa${task}_.+_${kind}\\.txt$`);
    const found = files.filter((f) => re.test(f)).sort();
    if (found.length === 0) {
      const expected = path.join(dir, `qa${task}_${BABI_TASK_NAMES[task - 1] ?? '*'}_${kind}.txt`);
      throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `bAbI task ${task} ${kind} file ${expected} is missing (directory from ${source}). ${FIX_HINT}`, {
        path: expected,
        source,
      });
    }
    return path.join(dir, found[0]);
  };
  return { train: pick('train'), test: pick('test') };
}
