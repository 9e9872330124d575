export const MAIN_HELP = `anneal — plugin-based training with annealed gradient noise (Neelakantan et al. 2015)

Usage: anneal <command> [options]

Commands:
  run <recipe>            train a registered recipe (all its variants × settings × seeds)
  recipes ls|show         list recipes / show one (resolved, with --quick)
  plugins ls|show         list plugins by kind / show a plugin's card and config schema
  runs ls|show            list tracked runs in the local store / show one
  mlflow up|sync          start a local MLflow server / deliver spooled runs to MLflow
  models register|ls      register a run's model in the MLflow model registry / list models
  data fetch babi         download bAbI into the data directory (needs internet)

Options everywhere: --help; listings take --json.
Environment: ANNEAL_HOME (run store, default ./.anneal), ANNEAL_DATA_DIR, MLFLOW_TRACKING_URI.
`;

export const RUN_HELP = `Usage: anneal run <recipe> [options]
       anneal run --resume <run-id>

Options:
  --quick               the recipe's minutes-scale variant for a 2-core CPU
  --seed N              run only seed N (repeatable; replaces the recipe's seeds)
  --set key=value       override a setting (repeatable), e.g.
                          --set training.epochs=2  --set optimizer.config.learningRate=0.01
                          --set plugins.annealed-gaussian.eta=1  --set dataset.config.trainSize=5000
  --plugin <path|pkg>   load plugins from a module and attach them at their hook point (repeatable)
  --backend <b>         auto|wasm|cpu|tensorflow|tensorflow-gpu (default auto: gpu, node, wasm, cpu)
  --resume <run-id>     continue a stopped run from its last checkpoint (same step t, optimizer, RNG, data order)
  --plan                print the execution plan before training
  --json                print the results as JSON at the end
  --register-model NAME register each finished run's model in MLflow (needs MLFLOW_TRACKING_URI)
  --alias A             with --register-model: set this alias on the new version
`;

export const RECIPES_HELP = `Usage: anneal recipes ls [--json]
       anneal recipes show <name> [--quick] [--json]
`;
export const PLUGINS_HELP = `Usage: anneal plugins ls [--kind K] [--json] [--plugin path]
       anneal plugins show <name> [--json] [--plugin path]

Kinds: gradient-transform, optimizer, param-transform, forward-transform, initializer, model-family, dataset, observer
`;
export const RUNS_HELP = `Usage: anneal runs ls [--recipe R] [--limit N] [--json]
       anneal runs show <run-id> [--json]

Runs live in $ANNEAL_HOME/runs (default ./.anneal/runs).
`;
