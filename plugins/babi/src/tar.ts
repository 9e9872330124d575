/**
 * A small streaming reader for (uncompressed) tar archives: ustar, GNU long names ('L') and pax
 * extended headers ('x'). Enough for the bAbI tarball; links and devices are skipped.
 */

export interface TarEntry {
  /** Path inside the archive (pax/GNU long names applied, ustar prefix joined). */
  readonly path: string;
  /** '0' regular file, '5' directory, others as in the header. */
  readonly type: string;
  readonly size: number;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;

function cString(buf: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && buf[end] !== 0) end++;
  return Buffer.from(buf.subarray(start, end)).toString('utf8');
}

function parseNumber(buf: Uint8Array, start: number, length: number): number {
  if (buf[start] & 0x80) {
    // GNU base-256 (big-endian, first byte's top bit is the flag).
    let v = buf[start] & 0x7f;
    for (let i = 1; i < length; i++) v = v * 256 + buf[start + i];
    return v;
  }
  const s = cString(buf, start, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`bad octal number '${s}' in tar header`);
  return parseInt(s, 8);
}

function checksumOk(header: Uint8Array): boolean {
  const stored = parseNumber(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum === stored;
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = Buffer.from(data).toString('utf8');
  let pos = 0;
  while (pos < text.length) {
    const sp = text.indexOf(' ', pos);
    if (sp < 0) break;
    const len = Number(text.slice(pos, sp));
    if (!Number.isFinite(len) || len <= 0) break;
    const record = text.slice(sp + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Reads tar data from `chunks` and calls `onEntry` for every entry. When `onEntry` returns true the
 * entry's content is collected and passed to `onData`; other contents are skipped without buffering.
 */
export async function readTar(
  chunks: AsyncIterable<Uint8Array>,
  onEntry: (entry: TarEntry) => boolean,
  onData: (entry: TarEntry, data: Buffer) => void | Promise<void>,
): Promise<void> {
  let buffer: Buffer = Buffer.alloc(0);
  let state: 'header' | 'data' = 'header';
  let entry: TarEntry | null = null;
  let remaining = 0; // content bytes left in this entry
  let padding = 0; // padding bytes after the content
  let keep = false;
  let parts: Buffer[] = [];
  let longName: string | null = null;
  let pax: Record<string, string> = {};
  let special: 'L' | 'x' | 'g' | null = null;
  let ended = false;

  const finishEntry = async (): Promise<void> => {
    const data = Buffer.concat(parts);
    parts = [];
    if (special === 'L') longName = cString(data, 0, data.length);
    else if (special === 'x') pax = { ...pax, ...parsePax(data) };
    else if (keep && entry) await onData(entry, data);
    special = null;
    keep = false;
    entry = null;
  };

  for await (const chunk of chunks) {
    if (ended) break;
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (state === 'header') {
        if (buffer.length < BLOCK) break;
        const header = buffer.subarray(0, BLOCK);
        buffer = buffer.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        if (!checksumOk(header)) throw new TarFormatError('tar header checksum mismatch (the archive is damaged or not a tar file)');
        const type = String.fromCharCode(header[156] || 48);
        const size = parseNumber(header, 124, 12);
        let name = cString(header, 0, 100);
        const magic = cString(header, 257, 6);
        if (magic.startsWith('ustar')) {
          const prefix = cString(header, 345, 155);
          if (prefix) name = `${prefix}/${name}`;
        }
        if (pax.path) name = pax.path;
        if (longName !== null) name = longName;
        if (type === 'L' || type === 'x' || type === 'g') {
          special = type;
          keep = true;
          entry = { path: name, type, size };
        } else {
          longName = null;
          pax = {};
          special = null;
          entry = { path: name.replace(/^\.\//, ''), type: type === '\0' ? '0' : type, size };
          keep = (entry.type === '0' || entry.type === '7') && onEntry(entry);
        }
        remaining = size;
        padding = (BLOCK - (size % BLOCK)) % BLOCK;
        state = 'data';
        if (special === 'g') keep = false;
      }
      if (state === 'data') {
        const take = Math.min(remaining, buffer.length);
        if (take > 0) {
          if (keep) parts.push(Buffer.from(buffer.subarray(0, take)));
          buffer = buffer.subarray(take);
          remaining -= take;
        }
        if (remaining > 0) break;
        const skip = Math.min(padding, buffer.length);
        buffer = buffer.subarray(skip);
        padding -= skip;
        if (padding > 0) break;
        await finishEntry();
        state = 'header';
      }
    }
  }
  if (!ended && (state === 'data' || buffer.length > 0)) throw new TarFormatError('tar archive ends in the middle of an entry (truncated download?)');
}
