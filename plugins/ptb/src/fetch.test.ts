import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAnnealError } from '@anneal/core';
import { fetchPtb, runDataFetch } from './index.js';

/** Three small stand-in files and their sums (the fetch logic is the same for the real ones). */
function source(): { dir: string; sums: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'ptb-src-'));
  const sums: Record<string, string> = {};
  for (const [name, text] of [['ptb.train.txt', ' a b c\n d e\n'], ['ptb.valid.txt', ' a c\n'], ['ptb.test.txt', ' b d\n']]) {
    writeFileSync(join(dir, name), text);
    sums[name] = createHash('sha256').update(text).digest('hex');
  }
  return { dir, sums };
}

test('fetch from a local folder and a file: URL: verified files land in <dest>/ptb with a SHA256SUMS', async (t) => {
  const { dir, sums } = source();
  const dest = mkdtempSync(join(tmpdir(), 'ptb-dest-'));
  t.teardown(() => [dir, dest].forEach((d) => rmSync(d, { recursive: true, force: true })));
  for (const url of [dir, pathToFileURL(dir).href]) {
    const r = await fetchPtb({ url, dest, sha256sums: sums });
    t.is(r.dir, join(dest, 'ptb'));
    t.deepEqual(readdirSync(r.dir).sort(), ['SHA256SUMS', 'ptb.test.txt', 'ptb.train.txt', 'ptb.valid.txt']);
    t.is(readFileSync(join(r.dir, 'ptb.valid.txt'), 'utf8'), ' a c\n');
  }
  t.deepEqual(readdirSync(dest), ['ptb'], 'no temporary folder left');
});

test('fetch over HTTP (local server); a checksum mismatch writes nothing and keeps an existing copy', async (t) => {
  const { dir, sums } = source();
  const dest = mkdtempSync(join(tmpdir(), 'ptb-dest-'));
  const server = createServer((req, res) => {
    const f = join(dir, (req.url ?? '/').replace(/^\/data\//, ''));
    if (!existsSync(f)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(f));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    server.close();
    [dir, dest].forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/data/`;
  await fetchPtb({ url: base, dest, sha256sums: sums });
  t.is(readFileSync(join(dest, 'ptb', 'ptb.train.txt'), 'utf8'), ' a b c\n d e\n');

  const wrong = { ...sums, 'ptb.test.txt': '0'.repeat(64) };
  const e = await t.throwsAsync(fetchPtb({ url: base, dest, sha256sums: wrong }));
  t.true(isAnnealError(e, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.regex(e!.message, /ptb\.test\.txt has SHA-256 .* Nothing was written/);
  t.is(readFileSync(join(dest, 'ptb', 'ptb.train.txt'), 'utf8'), ' a b c\n d e\n', 'the verified copy is untouched');
  t.deepEqual(readdirSync(dest), ['ptb']);

  const missing = await t.throwsAsync(fetchPtb({ url: `http://127.0.0.1:${port}/nothing/`, dest, sha256sums: sums }));
  t.true(isAnnealError(missing, 'ANNEAL_ERR_DATA_MISSING'));
  t.regex(missing!.message, /HTTP 404/);
});

test('the default sums reject stand-in files; a failed first fetch leaves no folder; CLI exit codes', async (t) => {
  const { dir } = source();
  const root = join(mkdtempSync(join(tmpdir(), 'ptb-dest-')), 'fresh');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const e = await t.throwsAsync(fetchPtb({ url: dir, dest: root }));
  t.true(isAnnealError(e, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.false(existsSync(root));
  const lines: string[] = [];
  t.is(await runDataFetch(['ptb', '--url', dir, '--dest', root], { out: (s) => lines.push(s), err: (s) => lines.push(s) }), 1);
  t.is(await runDataFetch(['ptb', '--bogus'], { out: () => {}, err: (s) => lines.push(s) }), 2);
  t.true(lines.some((l) => l.includes('refusing the PTB download')));
  mkdirSync(root, { recursive: true });
  t.is(await runDataFetch(['--help'], { out: (s) => lines.push(s) }), 0);
});
