// Retry / backoff edge cases against a fake HTTP server (the real server is covered in ../*.test.ts).
import test from 'ava';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient, backoffMs, parseRetryAfter } from './mlflow-client.js';
import { isMlflowError } from './errors.js';
import { freePort } from '../testing/mlflow-server.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse, n: number) => void;

async function fakeServer(handler: Handler): Promise<{ uri: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const s = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    uri: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

test('429 with Retry-After is retried after the announced delay', async (t) => {
  const srv = await fakeServer((_s, res, n) => (n === 1 ? json(res, 429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }, { 'retry-after': '3' }) : json(res, 200, {})));
  const { sleeps, sleep } = recordingSleep();
  const client = new MlflowClient({ trackingUri: srv.uri, sleep, http: { backoffJitter: 0 } });
  await client.logBatch({ runId: 'r', metrics: [{ key: 'a', value: 1, step: 0, timestamp: 0 }] });
  t.is(srv.seen.length, 2);
  t.deepEqual(sleeps, [3000]);
  await srv.close();
});

test('503 then success: retried with no sleep before the first retry (urllib3 2.x)', async (t) => {
  const srv = await fakeServer((_s, res, n) => (n <= 2 ? (res.writeHead(503), res.end('Service Unavailable')) : json(res, 200, { experiment_id: '7' })));
  const { sleeps, sleep } = recordingSleep();
  const client = new MlflowClient({ trackingUri: srv.uri, sleep, http: { backoffFactor: 2, backoffJitter: 0 } });
  t.is(await client.createExperiment('e'), '7');
  t.is(srv.seen.length, 3);
  t.deepEqual(sleeps, [4000]);
  await srv.close();
});

test('retries give up after MLFLOW_HTTP_REQUEST_MAX_RETRIES with the last status', async (t) => {
  const srv = await fakeServer((_s, res) => json(res, 500, { error_code: 'INTERNAL_ERROR', message: 'db locked' }));
  const { sleep } = recordingSleep();
  const client = new MlflowClient({ trackingUri: srv.uri, sleep, http: { maxRetries: 3 } });
  const error = await t.throwsAsync(client.getRun('abc'));
  t.true(isMlflowError(error, 'INTERNAL_ERROR'));
  t.true(isMlflowError(error) && error.retryable);
  t.is(srv.seen.length, 4);
  await srv.close();
});

test('connection refused is retried, then reported as CONNECTION_ERROR with the URI', async (t) => {
  const port = await freePort();
  const { sleeps, sleep } = recordingSleep();
  const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, sleep, http: { maxRetries: 2, backoffJitter: 0, backoffFactor: 1 } });
  const error = await t.throwsAsync(client.getExperimentByName('x'));
  t.true(isMlflowError(error, 'CONNECTION_ERROR'));
  t.true(error!.message.includes(`127.0.0.1:${port}`));
  t.deepEqual(sleeps, [0, 2000].filter((ms) => ms > 0));
});

test('RESOURCE_ALREADY_EXISTS (HTTP 400) is not retried; get-or-create survives a concurrent create', async (t) => {
  let created = false;
  const srv = await fakeServer((s, res) => {
    if (s.path.endsWith('/experiments/get-by-name')) {
      if (!created) return json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' });
      return json(res, 200, { experiment: { experiment_id: '42', name: 'e', lifecycle_stage: 'active' } });
    }
    if (s.path.endsWith('/experiments/create')) {
      created = true; // someone else won the race
      return json(res, 400, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Experiment(name=e) already exists.' });
    }
    json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: '' });
  });
  const client = new MlflowClient({ trackingUri: srv.uri });
  const r = await client.getOrCreateExperiment('e');
  t.is(r.experiment.experiment_id, '42');
  t.false(r.created);
  t.deepEqual(
    srv.seen.map((s) => s.path),
    ['/api/2.0/mlflow/experiments/get-by-name', '/api/2.0/mlflow/experiments/create', '/api/2.0/mlflow/experiments/get-by-name'],
  );
  await srv.close();
});

test('runs/create is sent once even on a 503 (a retried create could duplicate the run)', async (t) => {
  const srv = await fakeServer((_s, res) => (res.writeHead(503), res.end('busy')));
  const client = new MlflowClient({ trackingUri: srv.uri, sleep: async () => {} });
  const error = await t.throwsAsync(client.createRun({ experimentId: '1', runName: 'r' }));
  t.true(isMlflowError(error, 'TEMPORARILY_UNAVAILABLE'));
  t.is(srv.seen.length, 1);
  await srv.close();
});

test('wire conventions: GET query (repeated keys), JSON bodies with content type, DELETE body, Basic beats Bearer, URL credentials', async (t) => {
  const srv = await fakeServer((_s, res) => json(res, 200, {}));
  const basic = new MlflowClient({ trackingUri: srv.uri, credentials: { token: 'tok', username: 'u', password: 'p' } });
  await basic.call('GET', 'model-versions/search', { filter: "name='m'", order_by: ['a', 'b'] });
  await basic.deleteRegisteredModelAlias('m', 'champion');
  const bearer = new MlflowClient({ trackingUri: srv.uri, credentials: { token: 'tok' } });
  await bearer.setTag('r', 'k', 'v');
  const fromUrl = new MlflowClient({ trackingUri: srv.uri.replace('http://', 'http://alice:s3cret@') });
  await fromUrl.setTag('r', 'k', 'v');
  t.false(fromUrl.trackingUri.includes('s3cret'));
  const [get, del, tag, tagUrl] = srv.seen;
  t.is(get.method, 'GET');
  t.deepEqual(get.query.getAll('order_by'), ['a', 'b']);
  t.is(get.query.get('filter'), "name='m'");
  t.is(get.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  t.is(del.method, 'DELETE');
  t.is(del.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(del.body), { name: 'm', alias: 'champion' });
  t.is(tag.headers.authorization, 'Bearer tok');
  t.deepEqual(JSON.parse(tag.body), { run_id: 'r', key: 'k', value: 'v' });
  t.is(tagUrl.headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
  await srv.close();
});

test('a non-JSON error body gets a code derived from the status; a slow server hits the per-attempt timeout', async (t) => {
  const srv = await fakeServer((s, res) => {
    if (s.path.endsWith('/runs/get')) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      return res.end('Invalid Host header');
    }
    setTimeout(() => json(res, 200, {}), 1500);
  });
  const client = new MlflowClient({ trackingUri: srv.uri, http: { timeoutSeconds: 0.2, maxRetries: 1, backoffJitter: 0 }, sleep: async () => {} });
  const forbidden = await t.throwsAsync(client.getRun('x'));
  t.true(isMlflowError(forbidden, 'PERMISSION_DENIED'));
  t.true(forbidden!.message.includes('Invalid Host header'));
  const slow = await t.throwsAsync(client.setTag('r', 'k', 'v'));
  t.true(isMlflowError(slow, 'TIMEOUT'));
  t.true(slow!.message.includes('MLFLOW_HTTP_REQUEST_TIMEOUT'));
  await srv.close();
});

test('artifact URLs: mlflow-artifacts: resolved against the tracking URI, path segments encoded', (t) => {
  const client = new MlflowClient({ trackingUri: 'http://127.0.0.1:5055/prefix/' });
  t.is(client.artifactUrl('mlflow-artifacts:/1/abc/artifacts', 'model/MLmodel').toString(), 'http://127.0.0.1:5055/prefix/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/MLmodel');
  t.is(client.artifactUrl('mlflow-artifacts://other:9/1/abc/artifacts', 'a b.txt').toString(), 'http://other:9/prefix/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/a%20b.txt');
  t.throws(() => client.artifactUrl('/srv/mlruns/1/abc/artifacts', 'x'), { message: /artifact proxy/ });
});

test('backoff and Retry-After parsing', (t) => {
  const s = { backoffFactor: 2, backoffJitter: 0 };
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, s)), [0, 4000, 8000, 16000, 32000, 64000, 120000, 120000]);
  t.is(parseRetryAfter('5'), 5000);
  t.is(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now()) !== undefined, true);
  t.is(parseRetryAfter('soon'), undefined);
});

// A self-signed test certificate for 127.0.0.1 (test fixture only; valid for 100 years).
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIULO43h2X1SqtiuqnXQpThoV4KHCYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNzA1MjkzNFoYDzIxMjYxMTAz
MDUyOTM0WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASp9D0OoVl6Q1wDaLEfJ7E+gcEWrJWJKlfsk98/L9v/YXLZvfCNLq3v
gGaCaevj7ETdobXJRR7oggD+8T+Ac+Cwo2QwYjAdBgNVHQ4EFgQUHP27fWtdLtCi
gOEpj/me1rmd/mgwHwYDVR0jBBgwFoAUHP27fWtdLtCigOEpj/me1rmd/mgwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDTlY4baxJuu0l4mYT4rcT/Lbgp/2BEkxOzWl+3/MuaWwIgNma8heu7+mDAo6+b
AQxMDA+3IUC5oILM7qtPniMF3EI=
-----END CERTIFICATE-----`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSizk0clr0f5GwLTz
MMT16ELbhWgXj80dzmM08RaV3TahRANCAASp9D0OoVl6Q1wDaLEfJ7E+gcEWrJWJ
Klfsk98/L9v/YXLZvfCNLq3vgGaCaevj7ETdobXJRR7oggD+8T+Ac+Cw
-----END PRIVATE KEY-----`;

test('TLS: a self-signed server is refused by default, accepted with MLFLOW_TRACKING_INSECURE_TLS or its CA via MLFLOW_TRACKING_SERVER_CERT_PATH', async (t) => {
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (_req, res) => json(res, 200, { experiment: { experiment_id: '1', name: 'e' } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const uri = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const dir = mkdtempSync(join(tmpdir(), 'anneal-tls-'));
  writeFileSync(join(dir, 'ca.pem'), TEST_CERT);
  try {
    let retries = 0;
    const strict = new MlflowClient({ trackingUri: uri, onRetry: () => retries++ });
    const error = await t.throwsAsync(strict.getExperiment('1'));
    t.true(isMlflowError(error, 'TLS_ERROR'));
    t.true(error!.message.includes('MLFLOW_TRACKING_INSECURE_TLS=true'));
    t.is(retries, 0, 'a certificate problem is not retried');
    const insecure = new MlflowClient({ trackingUri: uri, tls: { insecure: true } });
    t.is((await insecure.getExperiment('1')).experiment_id, '1');
    const withCa = new MlflowClient({ trackingUri: uri, tls: { insecure: false, caPath: join(dir, 'ca.pem') } });
    t.is((await withCa.getExperiment('1')).experiment_id, '1');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
