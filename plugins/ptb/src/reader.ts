import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AnnealError } from '@anneal/core';
import { PTB_SHA256 } from './checksums.js';
import { PTB_FIX_HINT } from './paths.js';

export const EOS = '<eos>';
export const UNK = '<unk>';

/**
 * Reads one PTB file as words: every line's whitespace-separated words followed by `<eos>` (the
 * newline). With `verify`, the file's SHA-256 must match the shipped sum for its name (when it is one
 * of the three PTB files), else ANNEAL_ERR_DATA_CORRUPT naming the path and the fix.
 */
export function readPtbWords(file: string, verify = true): string[] {
  const bytes = readFileSync(file);
  const name = path.basename(file);
  if (verify && name in PTB_SHA256) {
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== PTB_SHA256[name]) {
      throw new AnnealError(
        'ANNEAL_ERR_DATA_CORRUPT',
        `PTB file ${file} is corrupt: SHA-256 ${got} differs from the expected ${PTB_SHA256[name]}. ` +
          `Replace it with an intact copy (\`anneal data fetch ptb\` downloads and verifies one), or set the dataset config verifyChecksums: false for a deliberately different text. ${PTB_FIX_HINT}`,
        { path: file, expected: PTB_SHA256[name], got },
      );
    }
  }
  if (bytes.includes(0)) {
    throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `PTB file ${file} is not text (it holds NUL bytes). Replace it with an intact copy. ${PTB_FIX_HINT}`, { path: file });
  }
  // As the TF PTB reader: every newline becomes <eos> (text.replace('\n', ' <eos> ').split()).
  const words: string[] = [];
  const lines = bytes.toString('utf8').split('\n');
  lines.forEach((line, i) => {
    for (const w of line.split(/\s+/)) if (w !== '') words.push(w);
    if (i < lines.length - 1) words.push(EOS);
  });
  if (words.length === 0) throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `PTB file ${file} holds no words. Replace it with an intact copy. ${PTB_FIX_HINT}`, { path: file });
  return words;
}

/** Word ↔ id, built from the training words: by descending count, ties by word (as the TF PTB reader). */
export class PtbVocabulary {
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;
  readonly unkId: number;
  readonly eosId: number;

  private constructor(words: string[]) {
    this.words = Object.freeze(words);
    this.ids = new Map(words.map((w, i) => [w, i]));
    this.unkId = this.ids.get(UNK)!;
    this.eosId = this.ids.get(EOS)!;
  }

  /**
   * From the training words. `maxSize` keeps the most frequent words (the rest become `<unk>`);
   * `<eos>` and `<unk>` are always in (added at the end when the text lacks them; PTB has both).
   */
  static fromWords(train: readonly string[], maxSize?: number): PtbVocabulary {
    const counts = new Map<string, number>();
    for (const w of train) counts.set(w, (counts.get(w) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([w]) => w);
    const limit = maxSize === undefined ? sorted.length : maxSize;
    const must = [EOS, UNK];
    let kept = sorted.slice(0, limit);
    for (const m of must) {
      if (kept.includes(m)) continue;
      if (kept.length >= limit && maxSize !== undefined) {
        // Make room: drop the least frequent word that is not itself required.
        const i = kept.map((w, k) => [w, k] as const).reverse().find(([w]) => !must.includes(w))![1];
        kept = [...kept.slice(0, i), ...kept.slice(i + 1)];
      }
      kept.push(m);
    }
    return new PtbVocabulary(kept);
  }

  get size(): number {
    return this.words.length;
  }

  id(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  encode(words: readonly string[]): Int32Array {
    const out = new Int32Array(words.length);
    for (let i = 0; i < words.length; i++) out[i] = this.id(words[i]);
    return out;
  }
}
