import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { AnnealError, defaultDataRoot, fromFirstMirror, isAnnealError, parseSha256Sums, swapDirIntoPlace } from '@anneal/core';
import { BABI_SHA256 } from './checksums.js';
import { readTar, TarFormatError } from './tar.js';

/** The official bAbI v1.2 tarball (Facebook AI public files; the bAbI project page links here). */
export const DEFAULT_BABI_URL = 'https://dl.fbaipublicfiles.com/babi/tasks_1-20_v1-2.tar.gz';
/**
 * Tried in order when no URL is given: the official location, the original location from the bAbI paper's
 * era, and the Keras mirror. Every copy must pass the same SHA-256 checks.
 */
export const DEFAULT_BABI_URLS: readonly string[] = Object.freeze([
  DEFAULT_BABI_URL,
  'http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz',
  'https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz',
]);
/** Folder inside the tarball that holds en/, hn/, shuffled/, ... */
export const BABI_TAR_ROOT = 'tasks_1-20_v1-2';

export interface FetchBabiOptions {
  /** Tarball URL (http, https, file:) or a local path. Default: try `mirrors` in order. */
  readonly url?: string;
  /** URLs tried in order when `url` is not given (default DEFAULT_BABI_URLS); the first verified copy wins. */
  readonly mirrors?: readonly string[];
  /** Data root: files go to `<dest>/babi/en`. Default ANNEAL_DATA_DIR, else ./.anneal/data. */
  readonly dest?: string;
  /**
   * Expected sums, keyed by path relative to tasks_1-20_v1-2/ (e.g. "en/qa1_single-supporting-fact_train.txt"),
   * or the text of a SHA256SUMS file ("<hex>  <path>" lines). Default: the sums shipped with this package.
   * Every `en/` entry must be present in the archive and match; README.txt / LICENSE.txt are checked when present.
   */
  readonly sha256sums?: Readonly<Record<string, string>> | string;
  /** Progress messages (default: none). */
  readonly log?: (message: string) => void;
}

export interface FetchBabiResult {
  /** The `en` folder that now holds the verified files. */
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

export { parseSha256Sums };

async function openSource(url: string): Promise<Readable> {
  if (/^https?:\/\//i.test(url)) {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new AnnealError(
        'ANNEAL_ERR_DATA_MISSING',
        `could not download ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}. Check the network, or pass --url with a reachable copy of tasks_1-20_v1-2.tar.gz (a local path works too).`,
        { url },
      );
    }
    if (!res.ok || !res.body) {
      throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `could not download ${url}: HTTP ${res.status} ${res.statusText}. Pass --url with a reachable copy of tasks_1-20_v1-2.tar.gz.`, {
        url,
        status: res.status,
      });
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  const file = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(url);
  if (!existsSync(file)) throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `bAbI tarball ${file} does not exist. Pass --url with a URL or path of tasks_1-20_v1-2.tar.gz.`, { path: file });
  return createReadStream(file);
}

/** Relative path under tasks_1-20_v1-2/ for archive entries we keep (en/*, README.txt, LICENSE.txt), else null. */
function wanted(entryPath: string): string | null {
  const parts = entryPath.split('/').filter((p) => p !== '' && p !== '.');
  const root = parts.indexOf(BABI_TAR_ROOT);
  const rel = root >= 0 ? parts.slice(root + 1) : parts;
  if (rel.length === 2 && rel[0] === 'en' && !rel[1].startsWith('._')) return rel.join('/');
  if (rel.length === 1 && (rel[0] === 'README.txt' || rel[0] === 'LICENSE.txt') && root >= 0) return rel[0];
  return null;
}

/**
 * Downloads the bAbI v1.2 tarball, extracts `tasks_1-20_v1-2/en/*` into `<dest>/babi/en` and verifies
 * every file's SHA-256. Extraction goes to a temporary folder beside the target, which is renamed into
 * place only after every check passed; on any failure nothing is left behind (an existing `en` folder is
 * kept untouched). Throws AnnealError ANNEAL_ERR_DATA_MISSING (download) or ANNEAL_ERR_DATA_CORRUPT (checksums, bad archive).
 */
export async function fetchBabi(options: FetchBabiOptions = {}): Promise<FetchBabiResult> {
  if (options.url !== undefined) return fetchFrom(options.url, options);
  return fromFirstMirror(
    'a verified bAbI v1.2 tarball',
    options.mirrors ?? DEFAULT_BABI_URLS,
    (url) => fetchFrom(url, options),
    'Download tasks_1-20_v1-2.tar.gz by other means and pass --url <path>, or set ANNEAL_BABI_DIR to an extracted en/ folder.',
    options.log,
  );
}

async function fetchFrom(url: string, options: FetchBabiOptions): Promise<FetchBabiResult> {
  const root = path.resolve(options.dest ?? defaultDataRoot());
  const log = options.log ?? (() => {});
  const expectedAll: Record<string, string> =
    typeof options.sha256sums === 'string' ? parseSha256Sums(options.sha256sums) : { ...(options.sha256sums ?? BABI_SHA256) };
  const expected: Record<string, string> = {};
  for (const [k, v] of Object.entries(expectedAll)) {
    const rel = k.replace(/^\.\//, '').replace(new RegExp(`^${BABI_TAR_ROOT}/`), '');
    expected[rel] = v.toLowerCase();
  }
  const expectedEn = Object.keys(expected).filter((k) => k.startsWith('en/'));
  if (expectedEn.length === 0) throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', 'fetchBabi: the checksum list names no en/ files', {});

  const babiDir = path.join(root, 'babi');
  const target = path.join(babiDir, 'en');
  const tmp = path.join(babiDir, `.fetch-${process.pid}-${Date.now().toString(36)}`);
  const createdBabiDir = !existsSync(babiDir);
  const createdRoot = !existsSync(root);
  await mkdir(path.join(tmp, 'en'), { recursive: true });
  let ok = false;
  try {
    log(`downloading ${url}`);
    const source = await openSource(url);
    // pipeline (not .pipe) so that a network error also ends the gunzip stream with that error.
    const stream = pipeline(source, createGunzip(), () => {});
    const got: Record<string, string> = {};
    let bytes = 0;
    try {
      await readTar(
        stream,
        (entry) => wanted(entry.path) !== null,
        async (entry, data) => {
          const rel = wanted(entry.path)!;
          got[rel] = createHash('sha256').update(data).digest('hex');
          bytes += data.length;
          await writeFile(path.join(tmp, rel), data);
        },
      );
    } catch (e) {
      if (isAnnealError(e)) throw e;
      const why = e instanceof TarFormatError ? e.message : `${(e as Error).message}`;
      throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `${url} is not a readable bAbI tarball (gzip'd tar): ${why}. Nothing was written.`, { url });
    } finally {
      stream.destroy();
    }
    const missing = expectedEn.filter((k) => !(k in got));
    const bad = Object.keys(got).filter((k) => k in expected && got[k] !== expected[k]);
    const unknown = Object.keys(got).filter((k) => !(k in expected));
    if (missing.length > 0 || bad.length > 0) {
      const parts: string[] = [];
      if (bad.length > 0) parts.push(`checksum mismatch for ${bad.length} file(s): ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`);
      if (missing.length > 0) parts.push(`${missing.length} expected file(s) missing from the archive: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
      throw new AnnealError(
        'ANNEAL_ERR_DATA_CORRUPT',
        `refusing the bAbI download from ${url}: ${parts.join('; ')}. Nothing was written to ${target}. Retry, or pass --url with an intact tasks_1-20_v1-2.tar.gz (bAbI v1.2).`,
        { url, bad, missing },
      );
    }
    // Keep only verified files.
    for (const k of unknown) await rm(path.join(tmp, k), { force: true });
    const kept = Object.keys(got).filter((k) => k in expected).sort();
    await writeFile(
      path.join(tmp, 'SHA256SUMS'),
      kept.map((k) => `${got[k]}  ${k}`).join('\n') + '\n',
    );
    // Swap into place: old en → backup, new en → target, then drop the backup.
    await swapDirIntoPlace(path.join(tmp, 'en'), target);
    for (const extra of ['README.txt', 'LICENSE.txt', 'SHA256SUMS']) {
      if (existsSync(path.join(tmp, extra))) await rename(path.join(tmp, extra), path.join(babiDir, extra));
    }
    log(`verified ${kept.filter((k) => k.startsWith('en/')).length} files (${bytes} bytes) into ${target}`);
    ok = true;
    return { dir: target, files: kept, bytes };
  } finally {
    await rm(tmp, { recursive: true, force: true });
    // Leave no trace of a failed first fetch (rmdir only succeeds on an empty folder).
    if (!ok && createdBabiDir) await rmdir(babiDir).catch(() => {});
    if (!ok && createdRoot) await rmdir(root).catch(() => {});
  }
}

const USAGE = 'usage: anneal data fetch babi [--url <tarball URL or path>] [--dest <data root; files go to <dest>/babi/en>]';

/**
 * CLI handler for `anneal data fetch babi [--url U] [--dest D]`. `args` are the words after `fetch`
 * (a leading "babi" is accepted and skipped). Returns the process exit code.
 */
export async function runDataFetch(
  args: readonly string[],
  io: { out?: (s: string) => void; err?: (s: string) => void } = {},
): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = io.err ?? ((s: string) => process.stderr.write(`${s}\n`));
  const rest = [...args];
  if (rest[0] === 'babi') rest.shift();
  let url: string | undefined;
  let dest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? rest[++i];
    if (flag === '--url') url = value();
    else if (flag === '--dest') dest = value();
    else if (flag === '--help' || flag === '-h') {
      out(USAGE);
      return 0;
    } else {
      err(`ANNEAL_ERR_CLI_USAGE: unknown argument '${a}'. ${USAGE}`);
      return 2;
    }
    if ((flag === '--url' && !url) || (flag === '--dest' && !dest)) {
      err(`ANNEAL_ERR_CLI_USAGE: ${flag} needs a value. ${USAGE}`);
      return 2;
    }
  }
  try {
    const result = await fetchBabi({ url, dest, log: out });
    out(`bAbI v1.2 (en) ready in ${result.dir}`);
    return 0;
  } catch (e) {
    err(isAnnealError(e) ? e.message : `fetch failed: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

/** Reads a SHA256SUMS file from disk (helper for callers that keep sums next to data). */
export async function readSha256SumsFile(file: string): Promise<Record<string, string>> {
  return parseSha256Sums(await readFile(file, 'utf8'));
}
