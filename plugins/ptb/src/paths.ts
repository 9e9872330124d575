import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AnnealError } from '@anneal/core';

/** The three files of Mikolov's PTB (simple-examples/data), by split. */
export const PTB_FILES = Object.freeze({ train: 'ptb.train.txt', validation: 'ptb.valid.txt', test: 'ptb.test.txt' } as const);
export type PtbSplitName = keyof typeof PTB_FILES;

export const PTB_FIX_HINT =
  'Set the dataset config `dataDir` (the folder holding ptb.train.txt, ptb.valid.txt, ptb.test.txt), or the environment variable ANNEAL_PTB_DIR, ' +
  'or run `anneal data fetch ptb` to download them into <ANNEAL_DATA_DIR or ./.anneal/data>/ptb.';

export interface PtbDirSources {
  /** Dataset config `dataDir` (highest priority). */
  readonly configDir?: string;
  /** The trainer's resolved data root (DatasetLoadContext.dataDir): `<root>/ptb` or `<root>` itself. */
  readonly contextDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

const hasFiles = (dir: string): boolean => existsSync(path.join(dir, PTB_FILES.train));

/** A given folder may hold the files itself, or a `ptb/` (or simple-examples `data/`) folder that does. */
function expand(dir: string): string {
  for (const c of [dir, path.join(dir, 'ptb'), path.join(dir, 'data'), path.join(dir, 'simple-examples', 'data')]) if (hasFiles(c)) return c;
  return dir;
}

/**
 * Resolves the PTB folder: config `dataDir`, else ANNEAL_PTB_DIR, else the run's data directory,
 * else `<ANNEAL_DATA_DIR or ./.anneal/data>/ptb`. Returns the path and how it was chosen; does not check it exists.
 */
export function resolvePtbDir(src: PtbDirSources = {}): { dir: string; source: string } {
  const env = src.env ?? process.env;
  const cwd = src.cwd ?? process.cwd();
  if (src.configDir) return { dir: expand(path.resolve(cwd, src.configDir)), source: 'dataset config dataDir' };
  if (env.ANNEAL_PTB_DIR) return { dir: expand(path.resolve(cwd, env.ANNEAL_PTB_DIR)), source: 'ANNEAL_PTB_DIR' };
  if (src.contextDir) return { dir: expand(path.resolve(cwd, src.contextDir)), source: 'the run data directory' };
  const root = env.ANNEAL_DATA_DIR ? path.resolve(cwd, env.ANNEAL_DATA_DIR) : path.resolve(cwd, '.anneal', 'data');
  return { dir: path.join(root, 'ptb'), source: env.ANNEAL_DATA_DIR ? 'ANNEAL_DATA_DIR/ptb' : 'the default ./.anneal/data/ptb' };
}

/** The path of one split's file in `dir`, or ANNEAL_ERR_DATA_MISSING naming it and the fix. */
export function ptbFile(dir: string, split: PtbSplitName, source = 'the given directory'): string {
  const file = path.join(dir, PTB_FILES[split]);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `PTB ${split} file ${file} is missing (directory from ${source}). ${PTB_FIX_HINT}`, { path: file, source });
  }
  return file;
}
