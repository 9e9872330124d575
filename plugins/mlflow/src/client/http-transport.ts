import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP exchange, as the MLflow client needs it (small bodies, buffered). */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Per-attempt timeout (connect + response). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends one request; rejects with a NetworkError when no HTTP response arrives. */
export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

/** No HTTP response: refused, reset, DNS failure, timeout, or aborted by the caller. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'timeout' | 'aborted' | 'tls' | 'other',
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface TlsOptions {
  readonly insecure?: boolean;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
}

/** A keep-alive transport over node:http / node:https (TLS verification can be switched off). */
export function createNodeTransport(tls: TlsOptions = {}): HttpTransport {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: 8,
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert, key: tls.cert } : {}),
  });
  return (req) =>
    new Promise<HttpResponse>((resolvePromise, rejectPromise) => {
      if (req.signal?.aborted) {
        rejectPromise(new NetworkError('request aborted', 'aborted'));
        return;
      }
      const isHttps = req.url.protocol === 'https:';
      const send = isHttps ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const headers: Record<string, string> = { ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.byteLength);
      const clientReq = send(req.url, { method: req.method, headers, agent: isHttps ? httpsAgent : httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(() => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
        res.on('error', (e) => finish(() => rejectPromise(toNetworkError(e))));
      });
      const timer = setTimeout(() => {
        finish(() => rejectPromise(new NetworkError(`no response within ${req.timeoutMs} ms`, 'timeout')));
        clientReq.destroy();
      }, req.timeoutMs);
      timer.unref?.();
      const onAbort = () => {
        finish(() => rejectPromise(new NetworkError('request aborted', 'aborted')));
        clientReq.destroy();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      clientReq.on('error', (e) => finish(() => rejectPromise(toNetworkError(e))));
      if (req.body) clientReq.end(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength));
      else clientReq.end();
    });
}

function toNetworkError(e: unknown): NetworkError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const kind =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
      ? 'connect'
      : code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)
        ? 'tls'
        : 'other';
  return new NetworkError(`${code ?? 'network error'}: ${err?.message ?? String(e)}`, kind, code);
}
