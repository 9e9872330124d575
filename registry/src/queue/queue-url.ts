import { AnnealError } from '@anneal/core';
import { Redis, type RedisOptions } from 'ioredis';

/** A validated Redis URL: connection options for BullMQ, and a form safe to print (no credentials). */
export interface QueueConnection {
  /** redis://host:port/db with any user name and password replaced by '***'. */
  readonly safeUrl: string;
  readonly options: RedisOptions;
  /** The password and user name (never to be logged; for redaction). */
  readonly secrets: readonly string[];
}

/** The URL with user name and password replaced by '***' (also for strings that do not parse). */
export function redactQueueUrl(raw: string): string {
  return raw.replace(/(rediss?:\/\/)[^@/\s]*@/gi, '$1***@');
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). Throws
 * ANNEAL_ERR_QUEUE_URL naming the (redacted) value and the expected form. `from` says where it came
 * from (--queue or ANNEAL_QUEUE_URL).
 */
export function parseQueueUrl(raw: string, from = '--queue'): QueueConnection {
  const safe = redactQueueUrl(raw);
  const bad = (why: string) =>
    new AnnealError('ANNEAL_ERR_QUEUE_URL', `${from} '${safe}' is not a Redis URL (${why}); give redis://host:port[/db], e.g. redis://127.0.0.1:6379 (start one with 'anneal queue up').`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('it does not parse as a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`scheme '${url.protocol.replace(/:$/, '')}' is not redis or rediss`);
  if (!url.hostname) throw bad('no host');
  const port = url.port ? Number(url.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port '${url.port}' is not 1–65535`);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db > 15) throw bad(`database '${dbText}' is not an integer 0–15`);
  if (url.search || url.hash) throw bad('query strings and fragments are not supported');
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    safeUrl: `${url.protocol}//${username || password ? '***@' : ''}${url.host}/${db}`,
    options: {
      host,
      port,
      db,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      // BullMQ workers block on Redis; commands wait through a Redis restart instead of failing.
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    },
    secrets: [username, password].filter((s) => s.length >= 3),
  };
}

/** The queue URL from --queue or ANNEAL_QUEUE_URL, undefined when neither is set. */
export function queueUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv): QueueConnection | undefined {
  if (flag !== undefined) return parseQueueUrl(flag, '--queue');
  if (env.ANNEAL_QUEUE_URL) return parseQueueUrl(env.ANNEAL_QUEUE_URL, 'ANNEAL_QUEUE_URL');
  return undefined;
}

/** Connects once (no retries) and PINGs; throws ANNEAL_ERR_QUEUE_UNREACHABLE when Redis does not answer. */
export async function checkQueueReachable(connection: QueueConnection, timeoutMs = 3000): Promise<void> {
  const redis = new Redis({ ...connection.options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const why = redactSecrets((error as Error).message, connection.secrets);
    throw new AnnealError('ANNEAL_ERR_QUEUE_UNREACHABLE', `no Redis answers at ${connection.safeUrl} (${why}); start one with 'anneal queue up' or check the URL. Nothing was started.`);
  } finally {
    redis.disconnect();
  }
}

/** Replaces each secret in a text by '***'. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return redactQueueUrl(out);
}
