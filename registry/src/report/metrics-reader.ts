import { closeSync, existsSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 22;

/**
 * Reads selected keys from a run's metrics.jsonl without parsing every line: long runs log ~6 points
 * per step (240k lines for 30k updates), and a report only needs a few keys. Lines are matched on
 * their `{"key":"<key>"` prefix before JSON.parse. Per key and step the LAST value wins (a resumed
 * run re-logs the steps after its checkpoint). Non-finite values (stored as strings) are skipped.
 * A torn last line (crash mid-append) is ignored.
 */
export function readMetricCurves(path: string, keys: readonly string[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>(keys.map((k) => [k, new Map()]));
  if (!existsSync(path) || keys.length === 0) return out;
  const prefixes = keys.map((k) => `{"key":${JSON.stringify(k)},`);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let carry = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const text = carry + buffer.toString('utf8', 0, n);
      const lastNl = text.lastIndexOf('\n');
      if (lastNl < 0) {
        carry = text;
        continue;
      }
      carry = text.slice(lastNl + 1);
      let start = 0;
      while (start < lastNl) {
        let end = text.indexOf('\n', start);
        if (end < 0 || end > lastNl) end = lastNl;
        for (let i = 0; i < prefixes.length; i++) {
          if (text.startsWith(prefixes[i], start)) {
            try {
              const p = JSON.parse(text.slice(start, end)) as { key: string; value: unknown; step: number };
              const v = typeof p.value === 'number' ? p.value : Number.NaN;
              if (Number.isFinite(v) && Number.isFinite(p.step)) out.get(keys[i])!.set(p.step, v);
            } catch {
              // a damaged line: skip it
            }
            break;
          }
        }
        start = end + 1;
      }
    }
    // `carry` is a line without its newline: torn by a crash, ignored (as LocalRunStore.readMetrics does).
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Smallest power of two ≥ x (≥ 1). */
export function pow2AtLeast(x: number): number {
  let w = 1;
  while (w < x) w *= 2;
  return w;
}

/**
 * Bins a per-step curve into at most ~`maxBins` bins of a power-of-two width (so bins of runs with
 * different lengths nest), returning the mean per bin keyed by the bin's start step.
 */
export function binCurve(curve: ReadonlyMap<number, number>, maxBins = 400, width?: number): { width: number; bins: Map<number, number> } {
  let maxStep = 0;
  for (const s of curve.keys()) if (s > maxStep) maxStep = s;
  const w = width ?? pow2AtLeast((maxStep + 1) / maxBins);
  const sums = new Map<number, { sum: number; n: number }>();
  for (const [s, v] of curve) {
    const b = Math.floor(s / w) * w;
    const acc = sums.get(b);
    if (acc) {
      acc.sum += v;
      acc.n++;
    } else sums.set(b, { sum: v, n: 1 });
  }
  const bins = new Map<number, number>();
  for (const [b, { sum, n }] of [...sums.entries()].sort((a, b) => a[0] - b[0])) bins.set(b, sum / n);
  return { width: w, bins };
}
