import { AnnealError, didYouMean } from '@anneal/core';
import type { RecipeFacts, ReportRun, RunSource, SweepRef } from './report-run.js';
import { latestPerTrial } from './select-runs.js';
import type { TrialOutcome } from './trial-outcome.js';

/** Where a report's runs came from. */
export interface ReportTarget {
  readonly kind: 'recipe' | 'sweep' | 'run';
  readonly id: string;
  readonly source: 'local' | 'mlflow' | 'memory';
  readonly location: string;
}

export interface CollectOptions {
  /** true: quick runs only; false: full-protocol runs only; undefined: full, else quick. */
  readonly quick?: boolean;
  /** Looks up the registered recipe (paper numbers, restarts, version). */
  readonly recipeFacts?: (name: string, quick: boolean) => RecipeFacts | undefined;
  /** The sweep being reported is running this report itself (no "still RUNNING" note). */
  readonly liveSweep?: boolean;
  /** Registered recipe names (for "did you mean" on a bad target). */
  readonly knownRecipes?: readonly string[];
  /** The recipe facts to use, whatever the source recorded (e.g. `anneal run`'s own recipe). */
  readonly facts?: RecipeFacts;
}

export interface Collected {
  readonly target: ReportTarget;
  readonly recipe: RecipeFacts;
  readonly quick: boolean;
  readonly sweep?: SweepRef;
  readonly counted: readonly ReportRun[];
  readonly superseded: readonly ReportRun[];
  readonly planned?: number;
  readonly notRun?: number;
  readonly notes: readonly string[];
}

/**
 * Finds the runs behind a report. Given a sweep (or parent) run id: that run's children. Given a
 * recipe name: all its trial runs (quick or full protocol, current recipe version). Either way each
 * trial counts once (latestPerTrial).
 */
export async function collectRuns(source: RunSource, target: string, options: CollectOptions = {}): Promise<Collected> {
  const notes: string[] = [];
  const isRecipe = options.recipeFacts?.(target, false) !== undefined;
  if (!isRecipe) {
    const sweep = await source.findSweep(target);
    if (sweep) {
      if (sweep.kind === 'trial') {
        throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `run ${sweep.runId} is a single trial run, not a sweep; report its recipe instead: anneal report ${sweep.recipe}`);
      }
      const children = await source.children(sweep);
      const { counted, superseded } = latestPerTrial(children);
      const recipe = options.facts ?? sweep.recipeFacts ?? options.recipeFacts?.(sweep.recipe, sweep.quick) ?? { name: sweep.recipe };
      let planned: number | undefined;
      let notRun: number | undefined;
      if (sweep.trialIds) {
        planned = sweep.trialIds.length;
        const seen = new Set(counted.map((r) => r.trialId));
        notRun = sweep.trialIds.filter((id) => !seen.has(id)).length;
        const foreign = counted.filter((r) => r.trialId && !sweep.trialIds!.includes(r.trialId)).length;
        if (foreign > 0) notes.push(`${foreign} child run(s) are not in the sweep's trial list; they are included.`);
      }
      if (sweep.status === 'RUNNING' && !options.liveSweep) notes.push(`sweep ${sweep.runId} is still RUNNING (or was killed without ending; resume it with: anneal sweep --resume ${sweep.runId}).`);
      return { target: { kind: 'sweep', id: sweep.runId, source: source.kind, location: source.location }, recipe, quick: sweep.quick, sweep, counted, superseded, planned, notRun, notes };
    }
    throw new AnnealError(
      'ANNEAL_ERR_RUN_UNKNOWN',
      `'${target}' is neither a registered recipe nor a sweep run in ${source.location}.${didYouMean(target, options.knownRecipes ?? [])} Give a recipe name (anneal recipes ls) or a sweep id (anneal runs ls).`,
    );
  }
  const all = await source.recipeRuns(target);
  const facts = options.recipeFacts!(target, false)!;
  const version = facts.version;
  const sameVersion = all.filter((r) => version === undefined || r.recipeVersion === undefined || r.recipeVersion === version);
  if (sameVersion.length < all.length) notes.push(`${all.length - sameVersion.length} run(s) of other versions of ${target} left out (current version ${version}).`);
  const quickRuns = sameVersion.filter((r) => r.quick);
  const fullRuns = sameVersion.filter((r) => !r.quick);
  let quick: boolean;
  if (options.quick === true) quick = true;
  else if (options.quick === false) quick = false;
  else {
    quick = fullRuns.length === 0 && quickRuns.length > 0;
    if (quick) notes.push(`no full-protocol runs of ${target}: reporting its quick runs.`);
    else if (quickRuns.length > 0) notes.push(`${quickRuns.length} quick run(s) left out (report them with --quick).`);
  }
  const { counted, superseded } = latestPerTrial(quick ? quickRuns : fullRuns);
  if (counted.length === 0) {
    throw new AnnealError(
      'ANNEAL_ERR_RUN_UNKNOWN',
      `no ${quick ? 'quick ' : ''}runs of recipe '${target}' in ${source.location}. Start them with: anneal sweep ${target}${quick ? ' --quick' : ''}`,
    );
  }
  const recipe = options.facts ?? options.recipeFacts!(target, quick) ?? facts;
  return { target: { kind: 'recipe', id: target, source: source.kind, location: source.location }, recipe, quick, counted, superseded, notes };
}


/**
 * The runs of an `anneal run` that just ended, from its trial outcomes (no store needed): each outcome
 * is a counted run; the budget comes from the outcome and the recipe it ran.
 */
export function collectOutcomes(outcomes: readonly TrialOutcome[], args: { facts: RecipeFacts; quick: boolean; target: ReportTarget; budget?: Omit<ReportRun['budget'], 'steps' | 'epochs'> }): Collected {
  const counted: ReportRun[] = outcomes.map((o, i) => ({
    runId: o.runId || `unstarted-${i}`,
    status: o.status === 'STOPPED' ? 'KILLED' : (o.status as ReportRun['status']),
    startTime: i,
    recipe: args.facts.name,
    recipeVersion: args.facts.version,
    trialId: o.trialId,
    variant: o.variant,
    setting: o.setting,
    seed: o.seed,
    restart: o.restart,
    quick: args.quick,
    final: o.final,
    budget: { ...args.budget, epochs: o.epochs, steps: o.steps || undefined },
  }));
  return { target: args.target, recipe: args.facts, quick: args.quick, counted, superseded: [], notes: [] };
}
