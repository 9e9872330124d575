import { didYouMean } from '@anneal/core';

/**
 * A data description of a JSON value's shape, and one walker that checks a value against it. Each
 * problem is reported with its path inside the value (`plugins[1].plugin`), so a recipe file's error
 * can name the exact spot.
 */
export type Shape =
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly hint?: string }
  | { readonly type: 'number'; readonly integer?: boolean; readonly min?: number; readonly exclusiveMin?: boolean }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'any' }
  | { readonly type: 'list'; readonly item: Shape; readonly nonEmpty?: boolean }
  /** An object with free keys (config maps, grids); every value has the `value` shape. */
  | { readonly type: 'map'; readonly value: Shape }
  /** An object with known keys only; `what` names it in "unknown <what> key" messages. */
  | { readonly type: 'object'; readonly what: string; readonly fields: Readonly<Record<string, Field>> }
  /** Objects told apart by one string key (`kind`, `layout`), each case an object shape. */
  | { readonly type: 'tagged'; readonly tag: string; readonly cases: Readonly<Record<string, Shape>> };

export interface Field {
  readonly shape: Shape;
  readonly required?: boolean;
}

export interface ShapeIssue {
  /** Where in the value: `training.batchSize`, `plugins[1].plugin`, `[0].name` ('' for the value itself). */
  readonly path: string;
  readonly message: string;
}

export const joinPath = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${show(v)}`;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function describeNumber(s: Extract<Shape, { type: 'number' }>): string {
  const bound = s.min === undefined ? '' : ` ${s.exclusiveMin ? '>' : '≥'} ${s.min}`;
  return `${s.integer ? 'an integer' : 'a number'}${bound}`;
}

/** Checks `value` against `shape`, appending one issue per problem found (all of them, not the first). */
export function checkShape(value: unknown, shape: Shape, path: string, issues: ShapeIssue[]): void {
  const fail = (message: string): void => {
    issues.push({ path, message });
  };
  switch (shape.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') return fail(`must be a string${shape.hint ? ` (${shape.hint})` : ''}, got ${typeName(value)}`);
      if (shape.pattern && !shape.pattern.test(value)) fail(`${show(value)} is not allowed; it must be ${shape.hint ?? `like ${shape.pattern}`}`);
      return;
    case 'number': {
      const ok =
        typeof value === 'number' && Number.isFinite(value) && (!shape.integer || Number.isInteger(value)) &&
        (shape.min === undefined || (shape.exclusiveMin ? value > shape.min : value >= shape.min));
      if (!ok) fail(`must be ${describeNumber(shape)}, got ${typeName(value)}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(`must be true or false, got ${typeName(value)}`);
      return;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) {
        fail(`${show(value)} is not allowed; use one of ${shape.values.map((v) => `'${v}'`).join(', ')}.${typeof value === 'string' ? didYouMean(value, shape.values) : ''}`);
      }
      return;
    case 'list':
      if (!Array.isArray(value)) return fail(`must be a list, got ${typeName(value)}`);
      if (shape.nonEmpty && value.length === 0) fail('must be a non-empty list');
      value.forEach((item, i) => checkShape(item, shape.item, joinPath(path, i), issues));
      return;
    case 'map':
      if (!isPlainObject(value)) return fail(`must be an object, got ${typeName(value)}`);
      for (const [k, v] of Object.entries(value)) checkShape(v, shape.value, joinPath(path, k), issues);
      return;
    case 'object':
      return checkObject(value, shape, path, issues);
    case 'tagged': {
      if (!isPlainObject(value)) return fail(`must be an object with '${shape.tag}', got ${typeName(value)}`);
      const tag = value[shape.tag];
      const tags = Object.keys(shape.cases);
      const chosen = typeof tag === 'string' ? shape.cases[tag] : undefined;
      if (!chosen) {
        issues.push({ path: joinPath(path, shape.tag), message: `${show(tag)} is not allowed; use one of ${tags.map((t) => `'${t}'`).join(', ')}.${typeof tag === 'string' ? didYouMean(tag, tags) : ''}` });
        return;
      }
      checkShape(value, chosen, path, issues);
    }
  }
}

function checkObject(value: unknown, shape: Extract<Shape, { type: 'object' }>, path: string, issues: ShapeIssue[]): void {
  if (!isPlainObject(value)) {
    issues.push({ path, message: `must be an object (${shape.what}), got ${typeName(value)}` });
    return;
  }
  const known = Object.keys(shape.fields);
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const field = shape.fields[key];
    if (!field) {
      issues.push({ path: joinPath(path, key), message: `unknown ${shape.what} key '${key}'.${didYouMean(key, known)} Known: ${known.join(', ')}` });
      continue;
    }
    checkShape(v, field.shape, joinPath(path, key), issues);
  }
  for (const [key, field] of Object.entries(shape.fields)) {
    if (field.required && value[key] === undefined) issues.push({ path: joinPath(path, key), message: `is required (${shape.what} needs '${key}')` });
  }
}
