import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Counts complete lines of a JSON-lines file from byte `from` (native indexOf over 1 MB chunks). With
 * `stopAt`, stops at that many lines and also returns the byte offset just after the last one.
 */
export function countJsonlLines(path: string, from: number, stopAt = Number.POSITIVE_INFINITY): { lines: number; offset: number } {
  if (!existsSync(path)) return { lines: 0, offset: from };
  const size = statSync(path).size;
  let lines = 0;
  let offset = from;
  if (stopAt <= 0) return { lines, offset };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = from;
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      let i = buf.indexOf(0x0a, 0);
      while (i >= 0 && i < n) {
        lines++;
        offset = pos + i + 1;
        if (lines >= stopAt) return { lines, offset };
        i = buf.indexOf(0x0a, i + 1);
      }
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return { lines, offset };
}

/**
 * Up to `maxLines` complete lines from byte `start` (at most 1 MB read): their non-blank texts, how
 * many lines were consumed (blank ones included) and how many bytes. A torn last line is left for later.
 */
export function readJsonlLines(path: string, start: number, maxLines: number): { texts: string[]; lines: number; bytes: number } {
  if (!existsSync(path)) return { texts: [], lines: 0, bytes: 0 };
  const size = statSync(path).size;
  if (size <= start) return { texts: [], lines: 0, bytes: 0 };
  const length = Math.min(size - start, 1 << 20);
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, start);
  } finally {
    closeSync(fd);
  }
  const texts: string[] = [];
  let lines = 0;
  let pos = 0;
  while (lines < maxLines) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const line = buf.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    lines++;
    if (line.trim() !== '') texts.push(line);
  }
  return { texts, lines, bytes: pos };
}
