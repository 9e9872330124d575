import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AnnealError } from '@anneal/core';
import { BABI_SHA256, fetchBabi, loadBabiTask, parseSha256Sums, readTar, runDataFetch } from './index.js';
import { repoRoot } from './testing/index.js';

const SHARED = path.resolve(repoRoot(), '..', 'shared', 'data', 'babi');

// --- a minimal ustar writer (test-only) ---------------------------------------------------------
function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 154);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('14000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
function tar(entries: Array<{ name: string; data?: Buffer; type?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    parts.push(header(e.name, data.length, e.type ?? '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** The bAbI tarball layout, built in memory from the shared files (never written into the repo). */
function babiTarball(options: { corrupt?: string; drop?: string } = {}): Buffer {
  const entries: Array<{ name: string; data?: Buffer; type?: string }> = [
    { name: 'tasks_1-20_v1-2/', type: '5' },
    { name: 'tasks_1-20_v1-2/README.txt', data: readFileSync(path.join(SHARED, 'README.txt')) },
    { name: 'tasks_1-20_v1-2/en/', type: '5' },
  ];
  for (const f of readdirSync(path.join(SHARED, 'en')).sort()) {
    if (options.drop === f) continue;
    let data = readFileSync(path.join(SHARED, 'en', f));
    if (options.corrupt === f) data = Buffer.concat([data, Buffer.from('1 Mallory was here.\n')]);
    entries.push({ name: `tasks_1-20_v1-2/en/${f}`, data });
  }
  // Other languages are skipped by the extractor.
  entries.push({ name: 'tasks_1-20_v1-2/hn/qa1_single-supporting-fact_train.txt', data: Buffer.from('1 x.\n') });
  return gzipSync(tar(entries));
}

async function serve(body: Buffer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/babi.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/babi.tar.gz`, server };
}

test('shipped checksums cover the 40 en files and match the reference SHA256SUMS', (t) => {
  const ref = parseSha256Sums(readFileSync(path.join(SHARED, 'SHA256SUMS'), 'utf8'));
  const en = Object.keys(BABI_SHA256).filter((k) => k.startsWith('en/'));
  t.is(en.length, 40);
  for (const k of en) t.is(BABI_SHA256[k], ref[k]);
});

test('tar reader handles ustar prefixes and skips unwanted entries', async (t) => {
  const longName = `${'d'.repeat(80)}/${'e'.repeat(60)}/file.txt`;
  const buf = tar([{ name: 'a.txt', data: Buffer.from('hello') }, { name: longName, data: Buffer.alloc(700, 1) }, { name: 'b.txt', data: Buffer.from('bye') }]);
  const seen: string[] = [];
  const got: Record<string, number> = {};
  // Feed in odd-sized chunks to exercise the buffering.
  async function* chunks() {
    for (let i = 0; i < buf.length; i += 333) yield buf.subarray(i, i + 333);
  }
  await readTar(chunks(), (e) => (seen.push(e.path), e.path !== 'a.txt'), (e, d) => void (got[e.path] = d.length));
  t.deepEqual(seen, ['a.txt', longName, 'b.txt']);
  t.deepEqual(got, { [longName]: 700, 'b.txt': 3 });
});

test('fetchBabi downloads, extracts en/*, verifies, and the files load', async (t) => {
  const { url, server } = await serve(babiTarball());
  t.teardown(() => server.close());
  const dest = mkdtempSync(path.join(tmpdir(), 'anneal-fetch-'));
  const result = await fetchBabi({ url, dest });
  t.is(result.dir, path.join(dest, 'babi', 'en'));
  const got = readdirSync(result.dir).sort();
  t.deepEqual(got, readdirSync(path.join(SHARED, 'en')).sort());
  t.false(existsSync(path.join(dest, 'babi', 'hn')));
  t.true(existsSync(path.join(dest, 'babi', 'README.txt')));
  t.true(readFileSync(path.join(dest, 'babi', 'SHA256SUMS'), 'utf8').includes('en/qa1_single-supporting-fact_train.txt'));
  t.deepEqual(readdirSync(path.join(dest, 'babi')).filter((f) => f.startsWith('.')), []); // no temp folders left
  const data = await loadBabiTask(1, { env: { ANNEAL_DATA_DIR: dest } });
  t.is(data.train.size, 900);
  // A second fetch replaces the folder cleanly.
  await fetchBabi({ url, dest });
  t.is(readdirSync(result.dir).length, 40);
});

test('fetchBabi refuses a tarball whose checksums do not match and leaves nothing', async (t) => {
  const { url, server } = await serve(babiTarball({ corrupt: 'qa7_counting_train.txt' }));
  t.teardown(() => server.close());
  const dest = mkdtempSync(path.join(tmpdir(), 'anneal-fetch-bad-'));
  const err = await t.throwsAsync(fetchBabi({ url, dest }), { instanceOf: AnnealError });
  t.is(err!.code, 'ANNEAL_ERR_DATA_CORRUPT');
  t.regex(err!.message, /checksum mismatch/);
  t.regex(err!.message, /qa7_counting_train\.txt/);
  t.deepEqual(readdirSync(dest), []); // not even babi/
  const fresh = path.join(dest, 'new-root');
  await t.throwsAsync(fetchBabi({ url, dest: fresh }), { instanceOf: AnnealError });
  t.false(existsSync(fresh)); // a data root created for the fetch is removed again
});

test('fetchBabi with a wrong expected sum, a missing file, or a bad archive keeps an existing copy intact', async (t) => {
  const good = await serve(babiTarball());
  const missing = await serve(babiTarball({ drop: 'qa20_agents-motivations_test.txt' }));
  const garbage = await serve(Buffer.from('this is not a gzip file'));
  t.teardown(() => {
    good.server.close();
    missing.server.close();
    garbage.server.close();
  });
  const dest = mkdtempSync(path.join(tmpdir(), 'anneal-fetch-keep-'));
  await fetchBabi({ url: good.url, dest });
  const before = readdirSync(path.join(dest, 'babi', 'en')).sort();

  const sums = { ...BABI_SHA256, 'en/qa1_single-supporting-fact_test.txt': '0'.repeat(64) };
  const e1 = await t.throwsAsync(fetchBabi({ url: good.url, dest, sha256sums: sums }), { instanceOf: AnnealError });
  t.regex(e1!.message, /qa1_single-supporting-fact_test\.txt/);
  const e2 = await t.throwsAsync(fetchBabi({ url: missing.url, dest }), { instanceOf: AnnealError });
  t.regex(e2!.message, /missing from the archive: en\/qa20_agents-motivations_test\.txt/);
  const e3 = await t.throwsAsync(fetchBabi({ url: garbage.url, dest }), { instanceOf: AnnealError });
  t.is(e3!.code, 'ANNEAL_ERR_DATA_CORRUPT');
  const e4 = await t.throwsAsync(fetchBabi({ url: good.url.replace('babi.tar.gz', 'nope'), dest }), { instanceOf: AnnealError });
  t.is(e4!.code, 'ANNEAL_ERR_DATA_MISSING');
  t.regex(e4!.message, /HTTP 404/);

  t.deepEqual(readdirSync(path.join(dest, 'babi', 'en')).sort(), before);
  t.deepEqual(readdirSync(path.join(dest, 'babi')).filter((f) => f.startsWith('.')), []);
});

test('runDataFetch: `anneal data fetch babi --url U --dest D`', async (t) => {
  const { url, server } = await serve(babiTarball());
  t.teardown(() => server.close());
  const dest = mkdtempSync(path.join(tmpdir(), 'anneal-cli-'));
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
  t.is(await runDataFetch(['babi', '--url', url, '--dest', dest], io), 0);
  t.true(out.join('\n').includes(path.join(dest, 'babi', 'en')));
  t.is(readdirSync(path.join(dest, 'babi', 'en')).length, 40);
  t.is(await runDataFetch(['babi', '--bogus'], io), 2);
  t.regex(err.join('\n'), /unknown argument '--bogus'/);
  t.is(await runDataFetch([`--url=${url.replace('babi.tar.gz', 'x')}`, '--dest', dest], io), 1);
  t.regex(err.join('\n'), /HTTP 404/);
});

test('fetchBabi without a URL tries the mirrors in order until one verifies', async (t) => {
  const good = await serve(babiTarball());
  const bad = await serve(babiTarball({ corrupt: 'qa1_single-supporting-fact_train.txt' }));
  t.teardown(() => {
    good.server.close();
    bad.server.close();
  });
  const dest = mkdtempSync(path.join(tmpdir(), 'anneal-fetch-mirrors-'));
  const log: string[] = [];
  const mirrors = [good.url.replace('babi.tar.gz', 'gone'), bad.url, good.url];
  const result = await fetchBabi({ dest, mirrors, log: (s) => void log.push(s) });
  t.is(readdirSync(result.dir).length, 40);
  t.is(log.filter((l) => l.startsWith('failed:')).length, 2);
  const err = await t.throwsAsync(fetchBabi({ dest, mirrors: mirrors.slice(0, 2) }), { instanceOf: AnnealError });
  t.is(err!.code, 'ANNEAL_ERR_DATA_MISSING');
  t.regex(err!.message, /HTTP 404[\s\S]*checksum mismatch/);
});
