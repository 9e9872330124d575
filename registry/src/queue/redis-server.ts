import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AnnealError } from '@anneal/core';
import { checkQueueReachable, parseQueueUrl } from './queue-url.js';

export const REDIS_INSTALL_HINT = "redis-server is not on PATH: install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or run the container image (docker run -p 6379:6379 redis:7), then try again.";

export interface RedisServerOptions {
  readonly port: number;
  /** Where Redis keeps its append-only file (a restarted server keeps the queue). */
  readonly dir: string;
  readonly bind?: string;
  /** fsync policy of the append-only file: 'everysec' (default) or 'always' (nothing lost on SIGKILL). */
  readonly appendfsync?: 'always' | 'everysec';
  /** Require this password (AUTH); the URL then carries it. */
  readonly password?: string;
  /** Where the server's output goes (default: ignored). */
  readonly stdio?: 'inherit' | 'ignore';
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGTERM (Redis saves and exits) and waits. */
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts `redis-server` on bind:port with its data in `dir`, and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  if (!hasRedisServer()) throw new AnnealError('ANNEAL_ERR_QUEUE_UNREACHABLE', REDIS_INSTALL_HINT);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const bind = options.bind ?? '127.0.0.1';
  const args = ['--port', String(options.port), '--bind', bind, '--dir', dir, '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec', '--save', '', '--protected-mode', bind === '127.0.0.1' ? 'yes' : 'no', ...(options.password ? ['--requirepass', options.password] : [])];
  const child = spawn('redis-server', args, { stdio: options.stdio ?? 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}${bind}:${options.port}`;
  const connection = parseQueueUrl(url);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new AnnealError('ANNEAL_ERR_QUEUE_UNREACHABLE', `redis-server exited (code ${child.exitCode}) on start; is port ${options.port} taken? Try --port.`);
    try {
      await checkQueueReachable(connection, 500);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port: options.port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
