import { join } from 'node:path';
import { AnnealError, resolveAnnealHome } from '@anneal/core';
import { QUEUE_HELP } from '../../queue/queue-help.js';
import { startRedisServer } from '../../queue/redis-server.js';
import { parse } from '../parse.js';

/** `anneal queue up [--port 6379] [--dir D] [--bind 127.0.0.1]`: a local Redis server in the foreground. */
export async function queueCommand(args: readonly string[], io: { signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<number> {
  const { values, positionals } = parse('queue', args, { port: { type: 'string' }, dir: { type: 'string' }, bind: { type: 'string' } });
  if (values.help || positionals[0] !== 'up' || positionals.length > 1) {
    process.stdout.write(QUEUE_HELP);
    return values.help ? 0 : 2;
  }
  const port = values.port === undefined ? 6379 : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--port '${values.port}' is not allowed; give 1–65535 (e.g. --port 6379).`);
  const dir = values.dir ?? join(resolveAnnealHome(io.env), 'redis');
  const bind = values.bind ?? '127.0.0.1';
  const server = await startRedisServer({ port, dir, bind, stdio: 'ignore' });
  process.stderr.write(`anneal: Redis at ${server.url} (data in ${dir}); use it with: export ANNEAL_QUEUE_URL=${server.url}\nanneal: Ctrl-C stops it.\n`);
  const exited = new Promise<void>((r) => server.process.once('exit', () => r()));
  await Promise.race([exited, new Promise<void>((r) => (io.signal.aborted ? r() : io.signal.addEventListener('abort', () => r(), { once: true })))]);
  await server.stop();
  return io.signal.aborted ? 0 : 1;
}
