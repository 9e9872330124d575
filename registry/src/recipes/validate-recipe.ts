import { AnnealError, type Recipe } from '@anneal/core';
import { checkShape, isPlainObject, joinPath, type ShapeIssue } from './check-shape.js';
import { RECIPE_SHAPE, RECIPE_KEYS, TRAINING_KEYS, TRAINING_SHAPE } from './recipe-shape.js';

export { RECIPE_KEYS, TRAINING_KEYS };

/** Checks that need more than one field: epochs or phases, unique variant names. */
function crossFieldIssues(r: Record<string, unknown>, path: string, issues: ShapeIssue[]): void {
  const training = r.training;
  if (isPlainObject(training) && training.phases === undefined && training.epochs === undefined) {
    issues.push({ path: joinPath(joinPath(path, 'training'), 'epochs'), message: 'must be an integer ≥ 1 (or give training.phases), got nothing' });
  }
  const variants = Array.isArray(r.variants) ? r.variants : [];
  const seen = new Set<unknown>();
  variants.forEach((v, i) => {
    const name = isPlainObject(v) ? v.name : undefined;
    if (seen.has(name)) issues.push({ path: joinPath(joinPath(joinPath(path, 'variants'), i), 'name'), message: `variant names must be unique; '${String(name)}' is used twice` });
    seen.add(name);
  });
}

/**
 * Every structural problem of a recipe value, each with its path (`plugins[1].at`). Plugin names and
 * configs are not checked here (see checkRecipeNames and the trial pipeline).
 */
export function recipeIssues(value: unknown, path = ''): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  checkShape(value, RECIPE_SHAPE, path, issues);
  if (isPlainObject(value)) crossFieldIssues(value, path, issues);
  return issues;
}

/**
 * One coded error for a list of issues, one line per issue. For a file (`where` = its name) each line
 * is `<file>: <path>: <message>`; for a recipe in memory (`recipe 'name'`, e.g. after --set) it is
 * `recipe 'name': <message> (at <path>)`.
 */
export function recipeError(where: string, issues: readonly ShapeIssue[], inFile = true): AnnealError {
  const line = (i: ShapeIssue) => (!i.path ? `${where}: ${i.message}` : inFile ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message} (at ${i.path})`);
  const lines = issues.map(line);
  const more = lines.length > 1 ? `\n  ${lines.slice(1).join('\n  ')}` : '';
  return new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `${lines[0]}${more}`, { where, issues: issues.map((i) => ({ ...i })) });
}

/**
 * Structural checks on a recipe; throws ANNEAL_ERR_RECIPE_INVALID naming each problem's path. `file`
 * names the recipe file it came from (messages then start with the file).
 */
export function validateRecipeShape(r: Recipe, file?: string): void {
  const issues = recipeIssues(r);
  if (issues.length === 0) return;
  const name = isPlainObject(r) && typeof r.name === 'string' ? r.name : '(unnamed)';
  throw recipeError(file ?? `recipe '${name}'`, issues, file !== undefined);
}

/** Checks a training block alone (e.g. after `--set training.*`). */
export function validateTraining(recipe: string, t: unknown): void {
  const issues: ShapeIssue[] = [];
  checkShape(t, TRAINING_SHAPE, 'training', issues);
  if (issues.length) throw recipeError(`recipe '${recipe}'`, issues, false);
}
