export const WORKER_HELP = `Usage: anneal worker --queue redis://host:port[/db] [--concurrency N] [--backend b] [--plugin m]…

Pulls trials of queued sweeps (anneal sweep <recipe> --queue …) from the BullMQ queue on Redis and
runs them, one per process, each tracked into its trial's MLflow run; every checkpoint is uploaded
there, so a trial whose worker died continues from it on any other worker. Start one on each machine.

Options:
  --queue <url>         the Redis URL (default ANNEAL_QUEUE_URL); credentials in it are never printed
  --concurrency N       worker processes on this machine (default 1)
  --backend <b>         auto|wasm|cpu|tensorflow|tensorflow-gpu (default ANNEAL_BACKEND, else auto)
  --plugin <path|pkg>   plugin modules to load at boot (a trial's own modules load when it arrives;
                        they must be resolvable here: installed packages, or paths valid on every machine)

Environment: MLFLOW_TRACKING_URI (required: the MLflow server every machine tracks to), ANNEAL_HOME
(this machine's local spool), ANNEAL_QUEUE_LOCK_MS (job lock; a killed worker's trial is taken over
after about this long, default 30000). SIGTERM/Ctrl-C: the running trial checkpoints, goes back to
the queue, and the worker exits 0.
`;

export const QUEUE_HELP = `Usage: anneal queue up [--port 6379] [--dir <ANNEAL_HOME>/redis] [--bind 127.0.0.1]

Starts a local Redis server (redis-server must be on PATH) for queued sweeps, with an append-only
file in --dir so a restarted server keeps the queue. Runs in the foreground; Ctrl-C stops it.
`;
