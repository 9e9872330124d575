import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AnnealError } from '@anneal/core';
import { QueueWorker, requireMlflow } from '../../queue/queue-worker.js';
import { WORKER_HELP } from '../../queue/queue-help.js';
import { checkQueueReachable, queueUrlFrom } from '../../queue/queue-url.js';
import { parse, toList } from '../parse.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** `anneal worker --queue URL [--concurrency N] [--backend b] [--plugin m]…`. */
export async function workerCommand(args: readonly string[], io: { signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<number> {
  const { values, positionals } = parse('worker', args, {
    queue: { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
    backend: { type: 'string' },
    plugin: { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(WORKER_HELP);
    return 0;
  }
  if (positionals.length) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `worker: unexpected '${positionals[0]}'; usage: anneal worker --queue redis://host:port [--concurrency N].`);
  const connection = queueUrlFrom(values.queue, io.env);
  if (!connection) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'worker: give the queue, --queue redis://host:port (or set ANNEAL_QUEUE_URL).');
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--concurrency '${values.concurrency}' is not allowed; it must be an integer ≥ 1 (e.g. --concurrency 2).`);
  requireMlflow(io.env, 'anneal worker');
  await checkQueueReachable(connection);
  if (concurrency > 1) return forkWorkers(args, concurrency, io);
  const lockMs = Number(io.env.ANNEAL_QUEUE_LOCK_MS);
  const worker = new QueueWorker({ connection, env: io.env, backend: values.backend, pluginModules: toList(values.plugin), lockMs: Number.isFinite(lockMs) && lockMs > 0 ? lockMs : undefined });
  await worker.start();
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  process.stderr.write(`worker ${worker.name}: stopping (the running trial checkpoints and goes back to the queue)…\n`);
  await worker.stop();
  process.stderr.write(`worker ${worker.name}: stopped\n`);
  return 0;
}

/** --concurrency N: N worker processes (one trial each at a time); SIGTERM/SIGINT is passed on to each. */
async function forkWorkers(args: readonly string[], n: number, io: { signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<number> {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--concurrency' || args[i] === '-c') i++;
    else if (!args[i].startsWith('--concurrency=')) rest.push(args[i]);
  }
  const children = Array.from({ length: n }, () => spawn(process.execPath, [MAIN, 'worker', ...rest], { stdio: 'inherit', env: io.env }));
  const codes = children.map((c) => new Promise<number>((r) => c.once('exit', (code, signal) => r(code ?? (signal ? 1 : 0)))));
  io.signal.addEventListener('abort', () => children.forEach((c) => c.kill('SIGTERM')), { once: true });
  return Math.max(...(await Promise.all(codes)));
}
