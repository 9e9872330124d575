import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { AnnealError, isAnnealError } from '../errors/anneal-error.js';

/**
 * Pieces every `anneal data fetch <dataset>` shares: checksum lists, mirrors tried in order, and a
 * verified folder swapped into place only after every check passed.
 */

/** Parses SHA256SUMS text ("<hex>  <path>" or "<hex> *<path>" per line). */
export function parseSha256Sums(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) out[m[2].replace(/^\.\//, '')] = m[1].toLowerCase();
  }
  return out;
}

/** Where fetched data goes without --dest: $ANNEAL_DATA_DIR, else ./.anneal/data. */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.ANNEAL_DATA_DIR ?? path.join('.anneal', 'data'));
}

/**
 * Tries `fetchFrom` on each mirror in order; the first that succeeds wins. Coded failures (missing,
 * corrupt) move on to the next mirror; when all fail, one ANNEAL_ERR_DATA_MISSING lists them with `advice`.
 */
export async function fromFirstMirror<T>(what: string, mirrors: readonly string[], fetchFrom: (url: string) => Promise<T>, advice: string, log?: (line: string) => void): Promise<T> {
  const failures: string[] = [];
  for (const url of mirrors) {
    try {
      return await fetchFrom(url);
    } catch (e) {
      if (!isAnnealError(e)) throw e;
      failures.push(e.message);
      log?.(`failed: ${e.message}`);
    }
  }
  throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `could not fetch ${what} from any of ${mirrors.length} location(s):\n  ${failures.join('\n  ')}\n${advice}`, { mirrors: [...mirrors] });
}

/** Replaces `target` by the folder `source` (an existing target is kept as a backup until the rename succeeded). */
export async function swapDirIntoPlace(source: string, target: string): Promise<void> {
  const backup = existsSync(target) ? path.join(path.dirname(target), `.old-${path.basename(target)}-${process.pid}-${Date.now().toString(36)}`) : null;
  if (backup) await rename(target, backup);
  try {
    await rename(source, target);
  } catch (e) {
    if (backup) await rename(backup, target);
    throw e;
  }
  if (backup) await rm(backup, { recursive: true, force: true });
}
