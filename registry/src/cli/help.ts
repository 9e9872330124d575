export const MAIN_HELP = `anneal — plugin-based training with annealed gradient noise (Neelakantan et al. 2015)

Usage: anneal <command> [options]

Commands:
  run <recipe|file>       train a recipe (all its variants × settings × seeds): a registered name or a
                          recipe file (./my-recipe.json, .yaml, .yml, or a .js/.mjs module exporting recipes)
  sweep <recipe>          run a recipe's trials in parallel worker processes, resumable (--resume <sweep-id>)
  worker --queue <url>    run trials of queued sweeps (anneal sweep <recipe> --queue <url>) on this machine
  queue up                start a local Redis server for queued sweeps
  backend install tensorflow  build the native TensorFlow backend from registry packages (backend ls: what runs here)
  report <recipe|sweep>   rebuild the paper's tables and plots from tracked runs (local store or MLflow)
  recipes ls|show         list recipes (built in, from the project file and plugin packages) / show one
  plugins ls|show         list plugins by kind / show a plugin's card and config schema
  runs ls|show            list tracked runs in the local store / show one
  mlflow up|sync          start a local MLflow server / deliver spooled runs to MLflow
  models register|ls      register a run's model in the MLflow model registry / list models
  data fetch babi         download bAbI into the data directory (needs internet)
  data fetch ptb          download PTB (ptb.{train,valid,test}.txt, SHA-256 checked) into <data dir>/ptb
  data sample <dataset>   print examples of a dataset in readable form (--n N, --set dataset.config.k=v, --json)

Options everywhere: --help; listings take --json.
Environment: ANNEAL_HOME (run store, default ./.anneal), ANNEAL_DATA_DIR, MLFLOW_TRACKING_URI.
Project file: ./anneal.config.json (or the "anneal" key of ./package.json) lists plugin packages and
recipe files every command loads: { "plugins": ["my-anneal-plugin"], "recipes": ["./my-recipe.json"] }.
`;

export const RUN_HELP = `Usage: anneal run <recipe> [options]
       anneal run ./my-recipe.json [options]     (also .yaml/.yml, or .js/.mjs; file#name picks one of several)
       anneal run --resume <run-id>

A recipe file has the shape 'anneal recipes show <name> --json' prints; start from one of those.

Options:
  --quick               the recipe's minutes-scale variant for a 2-core CPU
  --seed N              run only seed N (repeatable; replaces the recipe's seeds)
  --variant NAME        run only this arm, e.g. --variant noise (repeatable)
  --set key=value       override a setting (repeatable), e.g.
                          --set training.epochs=2  --set optimizer.config.learningRate=0.01
                          --set plugins.annealed-gaussian.eta=1  --set dataset.config.trainSize=5000
                        (plugins.<instance>.* applies to the trials whose arm has that plugin)
  --plugin <path|pkg>   load plugins from a module and attach them at their hook point (repeatable)
  --backend <b>         auto|wasm|cpu|tensorflow|tensorflow-gpu (default auto: gpu, node, wasm, cpu)
  --resume <run-id>     continue a stopped run from its last checkpoint (same step t, optimizer, RNG, data order)
  --plan                print the execution plan before training
  --dry-run             resolve and validate every trial, print them (with --json: the trial specs), train nothing
  --json                print the results as JSON at the end
  --register-model NAME register each finished run's model in MLflow (needs MLFLOW_TRACKING_URI)
  --alias A             with --register-model: set this alias on the new version
`;

export const RECIPES_HELP = `Usage: anneal recipes ls [--json] [--plugin path|pkg]
       anneal recipes show <name | ./file.json> [--quick] [--json] [--trials] [--plugin path|pkg]

recipes ls lists the built-in recipes, those of the project file (anneal.config.json, or the "anneal"
key of package.json) and those plugin packages export, with where each comes from.
recipes show --json prints exactly a loadable recipe: save it, rename it, change it, and run it with
'anneal run ./my-recipe.json'. With --quick it prints the quick variant as a recipe of its own.
--trials (with --json) prints the trial list instead: id, label, variant, setting, seed.
`;
export const PLUGINS_HELP = `Usage: anneal plugins ls [--kind K] [--json] [--plugin path]
       anneal plugins show <name> [--json] [--plugin path]

Kinds: gradient-transform, optimizer, param-transform, forward-transform, initializer, model-family, dataset, observer
`;
export const RUNS_HELP = `Usage: anneal runs ls [--recipe R] [--limit N] [--json]
       anneal runs show <run-id> [--json]

Runs live in $ANNEAL_HOME/runs (default ./.anneal/runs). The status column is the run's state: a
RUNNING run whose process is gone shows as DEAD (this host) or STALE (no heartbeat for minutes);
--json keeps the stored "status" and adds "state" (and "stateReason").
`;

export const SWEEP_HELP = `Usage: anneal sweep <recipe> [options]
       anneal sweep --resume <sweep-id> [--workers N] [--backend b]

Runs every trial of a recipe (variants × grid settings × seeds × restarts) in parallel worker
processes. The sweep is a run of its own (tag anneal.kind=sweep); each trial is a run nested under it.
A trial that throws or whose process dies is recorded as FAILED and the sweep goes on. Ctrl-C stops
the workers (their runs end as KILLED with a checkpoint) and prints the resume command. At the end the
paper-style summary and the plots are printed and logged as the sweep run's artifacts
(summary.md/json/csv, plots/curves.svg, plots/final-*.svg).

Options:
  --quick               the recipe's minutes-scale variant for a 2-core CPU
  --workers N, -j N     worker processes (default: the number of cores)
  --resume <sweep-id>   continue a sweep: finished trials are skipped, killed ones continue from
                        their checkpoint, failed or never-started ones run again (each trial counts once)
  --seed N              run only seed N (repeatable; replaces the recipe's seeds)
  --variant NAME        run only this arm (repeatable)
  --set key=value       override a setting in every trial (repeatable), e.g. --set training.epochs=2
  --plugin <path|pkg>   load plugins from a module and attach them at their hook point (repeatable)
  --backend <b>         auto|wasm|cpu|tensorflow|tensorflow-gpu (default auto; a resume keeps the sweep's)
  --out <dir>           also write report.md/.csv/.json and the plots to this directory
  --no-plots            skip the plots
  --verbose, -v         print every worker line (epochs, evaluations)
  --json                print the result as JSON (sweep id, per-trial status, summary)
  --queue <url>         enqueue the trials on Redis (default ANNEAL_QUEUE_URL) for 'anneal worker'
                        processes on any machine, and wait; needs MLFLOW_TRACKING_URI
  --detach              with --queue: enqueue and exit (finish later with --resume <id> --queue …)
  --status <sweep-id>   with --queue: each trial's state and worker, from any machine
  --retries N           with --queue: retries of a throwing trial, with backoff, before FAILED (default 2)
  --retry-backoff MS    with --queue: the first retry's delay; each next one doubles (default 2000)
  --shard I/N           run only shard I (0-based) of N, for a SLURM array or a Kubernetes Indexed Job

Exit code: 0 all trials finished, 1 some failed, 130 interrupted (resume it).
`;

export const REPORT_HELP = `Usage: anneal report <recipe | sweep-id> [options]

Rebuilds the paper's tables from tracked runs, beside the paper's numbers, with the number of runs
behind each cell and the budget (epochs, updates) per run, in the layout the recipe declares (report:):
  best-average       Table 1: best / average of the metric per variant, grid settings pooled, then per setting
  restart-selection  Table 2: per task the restart with the best selectBy metric; the mean over tasks
  grid-best          Table 3: per task the best metric over the rest of the grid and the seeds
  success-rate       Table 4: per setting the share of the same seeds reaching a threshold (Wilson interval)
  threshold-counts   Table 5: runs under each error threshold
  mean-std           PTB: mean ± std over seeds of each metric
Arms are compared over seeds (Welch's t for means; Wilson intervals and Fisher's exact test for rates),
saying when the runs are too few to tell.
Given a recipe name: all its finished trial runs, each trial once (its latest finished run). Given a
sweep id (or unique prefix): that sweep's trials. Reads MLflow (runs/search) when MLFLOW_TRACKING_URI
is set, falling back to the local store when the server cannot be read; else the local store.

Options:
  --format md|csv|json  what to print (default md); all three are written to the output directory
  --out <dir>           where report.md/.csv/.json and the plots go
                        (default $ANNEAL_HOME/reports/<recipe-or-sweep-id>[-quick])
  --quick | --full      recipe reports: the quick runs / the full-protocol runs (default: full, else quick)
  --source auto|local|mlflow   where to read runs (default auto)
  --no-plots            skip the plots (curves.svg: train loss and the report's metric vs step, per variant,
                        band across seeds; final-<metric>.svg: per-setting distribution)
`;
