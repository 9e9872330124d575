import { AnnealError, didYouMean } from '@anneal/core';
import { selectRestarts, summarize, type Summary } from '../runner/summarize.js';
import type { TrialOutcome } from '../trials/trial-spec.js';
import type { RecipeFacts, ReportRun, RunSource, SweepRef } from './report-run.js';
import { latestPerTrial, settingKey, settingLabel } from './select-runs.js';

export type ReportLayout = 'table1' | 'table2';

export interface ReportCounts {
  /** Trials the sweep planned (sweep reports only). */
  readonly planned?: number;
  readonly finished: number;
  readonly failed: number;
  readonly killed: number;
  readonly running: number;
  /** Planned trials with no run at all (sweep reports only). */
  readonly notRun?: number;
  /** Earlier attempts of a trial, left out (each trial counts once). */
  readonly superseded: number;
}

/** Table 1 detail: one row per variant × grid setting. */
export interface SettingRow {
  readonly variant: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly label: string;
  readonly metric: string;
  /** Percent. */
  readonly best: number;
  readonly average: number;
  readonly std: number;
  readonly runs: number;
  /** Trials of the cell that did not finish (failed, killed or still running). */
  readonly unfinished: number;
  readonly epochs?: number;
  readonly steps?: number;
}

/** Table 2 detail: one row per grid setting (task); per variant the selected restart's errors. */
export interface TaskRow {
  readonly setting: Readonly<Record<string, unknown>>;
  readonly label: string;
  readonly variants: Readonly<Record<string, { readonly values: Readonly<Record<string, number>>; readonly restarts: number; readonly selected: readonly string[] }>>;
}

export interface BudgetRow {
  readonly variant: string;
  readonly label: string;
  readonly epochs?: number;
  /** Min and max updates per run over the runs behind the row. */
  readonly stepsMin?: number;
  readonly stepsMax?: number;
  readonly batchSize?: number;
  readonly trainSize?: number;
  readonly runs: number;
}

export interface Report {
  readonly title: string;
  readonly target: { readonly kind: 'recipe' | 'sweep'; readonly id: string; readonly source: 'local' | 'mlflow'; readonly location: string };
  readonly recipe: RecipeFacts;
  readonly quick: boolean;
  readonly layout: ReportLayout;
  /** The metric of the main table and of the distribution plot. */
  readonly metric: string;
  /** Table 2: the columns (metrics) of the per-task table. */
  readonly columns: readonly string[];
  readonly counts: ReportCounts;
  readonly summary: Summary;
  readonly settings: readonly SettingRow[];
  readonly tasks: readonly TaskRow[];
  readonly budget: readonly BudgetRow[];
  readonly outcomes: readonly TrialOutcome[];
  readonly notes: readonly string[];
  /** Runs behind the report (each trial once), for plots. */
  readonly runs: readonly ReportRun[];
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
}

export interface Collected {
  readonly target: Report['target'];
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
      const recipe = sweep.recipeFacts ?? options.recipeFacts?.(sweep.recipe, sweep.quick) ?? { name: sweep.recipe };
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
  const recipe = options.recipeFacts!(target, quick) ?? facts;
  return { target: { kind: 'recipe', id: target, source: source.kind, location: source.location }, recipe, quick, counted, superseded, notes };
}

const lowerIsBetter = (metric: string) => /error|loss|perplexity/.test(metric);
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const std = (xs: readonly number[]) => {
  if (xs.length === 0) return Number.NaN;
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

export function toOutcome(r: ReportRun): TrialOutcome {
  return {
    trialId: r.trialId ?? r.runId,
    runId: r.runId,
    variant: r.variant,
    setting: r.setting,
    seed: r.seed,
    restart: r.restart,
    status: r.status,
    final: r.final,
    steps: r.budget.steps ?? 0,
    epochs: r.budget.epochs,
    durationMs: r.endTime !== undefined ? r.endTime - r.startTime : undefined,
  };
}

/** Builds the paper-style report from collected runs (no I/O). */
export function buildReport(collected: Collected): Report {
  const { recipe, counted } = collected;
  const notes = [...collected.notes];
  const finished = counted.filter((r) => r.status === 'FINISHED');
  const counts: ReportCounts = {
    planned: collected.planned,
    finished: finished.length,
    failed: counted.filter((r) => r.status === 'FAILED').length,
    killed: counted.filter((r) => r.status === 'KILLED').length,
    running: counted.filter((r) => r.status === 'RUNNING').length,
    notRun: collected.notRun,
    superseded: collected.superseded.length,
  };
  const layout: ReportLayout = recipe.restarts ? 'table2' : 'table1';
  const outcomes = finished.map(toOutcome);
  const summary = summarize(outcomes, recipe.paper, recipe.restarts);
  const metric = summary.metric;
  const variantOrder = [...new Set([...Object.keys(recipe.paper?.values ?? {}), ...counted.map((r) => r.variant ?? 'default')])].filter((v) => counted.some((r) => (r.variant ?? 'default') === v));
  const settingOrder = uniqueSettings(counted);

  const settings: SettingRow[] = [];
  for (const variant of variantOrder) {
    for (const setting of settingOrder) {
      const all = counted.filter((r) => (r.variant ?? 'default') === variant && settingKey(r.setting) === settingKey(setting));
      if (all.length === 0) continue;
      const runs = all.filter((r) => r.status === 'FINISHED');
      const values = runs.map((r) => r.final[metric]).filter((v): v is number => Number.isFinite(v)).map((v) => v * 100);
      const best = values.length === 0 ? Number.NaN : lowerIsBetter(metric) ? Math.min(...values) : Math.max(...values);
      const steps = runs.map((r) => r.budget.steps).filter((s): s is number => s !== undefined);
      settings.push({
        variant,
        setting,
        label: settingLabel(setting),
        metric,
        best,
        average: mean(values),
        std: std(values),
        runs: runs.length,
        unfinished: all.length - runs.length,
        epochs: runs[0]?.budget.epochs,
        steps: steps.length ? Math.max(...steps) : undefined,
      });
    }
  }

  const tasks: TaskRow[] = [];
  const columns = layout === 'table2' ? table2Columns(recipe) : [];
  if (layout === 'table2') {
    const selected = selectRestarts(outcomes, recipe.restarts);
    for (const setting of settingOrder) {
      const perVariant: Record<string, TaskRow['variants'][string]> = {};
      for (const variant of variantOrder) {
        const group = (o: TrialOutcome) => (o.variant ?? 'default') === variant && settingKey(o.setting) === settingKey(setting);
        const chosen = selected.filter(group);
        if (chosen.length === 0) continue;
        const values: Record<string, number> = {};
        for (const c of columns) values[c] = mean(chosen.map((o) => o.final[c]).filter((v): v is number => Number.isFinite(v)).map((v) => v * 100));
        perVariant[variant] = { values, restarts: outcomes.filter(group).length, selected: chosen.map((o) => o.runId) };
      }
      if (Object.keys(perVariant).length) tasks.push({ setting, label: settingLabel(setting), variants: perVariant });
    }
  }

  const budget: BudgetRow[] = [];
  for (const variant of variantOrder) {
    const runs = finished.filter((r) => (r.variant ?? 'default') === variant);
    const combos = new Map<string, ReportRun[]>();
    for (const r of runs) {
      const k = JSON.stringify([r.budget.epochs, r.budget.batchSize, r.budget.trainSize]);
      combos.set(k, [...(combos.get(k) ?? []), r]);
    }
    for (const rs of combos.values()) {
      const steps = rs.map((r) => r.budget.steps).filter((s): s is number => s !== undefined);
      const b = rs[0].budget;
      budget.push({ variant, label: budgetLabel(b.epochs, steps, b.batchSize, b.trainSize), epochs: b.epochs, stepsMin: steps.length ? Math.min(...steps) : undefined, stepsMax: steps.length ? Math.max(...steps) : undefined, batchSize: b.batchSize, trainSize: b.trainSize, runs: rs.length });
    }
  }

  if (counts.failed + counts.killed + counts.running > 0) notes.push(`${counts.failed} failed, ${counts.killed} killed and ${counts.running} running trial(s) are not in the statistics.`);
  if (collected.superseded.length > 0) notes.push(`${collected.superseded.length} earlier attempt(s) of trials were left out (each trial counts once: its latest finished run).`);
  const title = recipe.paper?.table ?? `${recipe.name}`;
  return { title, target: collected.target, recipe, quick: collected.quick, layout, metric, columns, counts, summary, settings, tasks, budget, outcomes, notes, runs: counted };
}

function table2Columns(recipe: RecipeFacts): string[] {
  const fromPaper = [...new Set(Object.values(recipe.paper?.values ?? {}).flatMap((v) => Object.keys(v)))].filter((k) => k.includes('/'));
  return fromPaper.length ? fromPaper : ['train/error', 'validation/error'];
}

function uniqueSettings(runs: readonly ReportRun[]): Readonly<Record<string, unknown>>[] {
  const seen = new Map<string, Readonly<Record<string, unknown>>>();
  for (const r of runs) if (!seen.has(settingKey(r.setting))) seen.set(settingKey(r.setting), r.setting);
  return [...seen.values()].sort((a, b) => compareSettings(a, b));
}

function compareSettings(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): number {
  for (const k of Object.keys(a).sort()) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number' && x !== y) return x - y;
    const c = String(x).localeCompare(String(y));
    if (c !== 0) return c;
  }
  return 0;
}

function budgetLabel(epochs: number | undefined, steps: readonly number[], batch: number | undefined, trainSize: number | undefined): string {
  const parts: string[] = [];
  if (epochs !== undefined) parts.push(`${epochs} epochs`);
  if (steps.length) {
    const lo = Math.min(...steps);
    const hi = Math.max(...steps);
    parts.push(`${lo === hi ? lo.toLocaleString('en-US') : `${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`} updates/run`);
  }
  if (batch !== undefined) parts.push(`batch ${batch}`);
  if (trainSize !== undefined) parts.push(`${trainSize.toLocaleString('en-US')} training examples`);
  return parts.join(', ') || 'unknown';
}
