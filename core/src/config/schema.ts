import { AnnealError } from '../errors/anneal-error.js';
import { didYouMean } from '../errors/nearest-names.js';

/**
 * A tiny config-schema language: each field says its type, default, allowed range and a description.
 * Validation fills defaults, rejects unknown keys (with a suggestion) and names the bad value and what
 * is allowed. The result is frozen.
 */
export type FieldSpec =
  | { type: 'number'; default?: number; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean; description: string; example?: number; optional?: boolean }
  | { type: 'boolean'; default?: boolean; description: string; optional?: boolean }
  | { type: 'string'; default?: string; oneOf?: readonly string[]; pattern?: RegExp; description: string; example?: string; optional?: boolean }
  | { type: 'number[]'; default?: readonly number[]; description: string; optional?: boolean; minItems?: number }
  | { type: 'string[]'; default?: readonly string[]; description: string; optional?: boolean }
  | { type: 'object'; default?: Readonly<Record<string, unknown>>; description: string; optional?: boolean }
  /** A reference to another plugin: a bare name or { name, config? } (e.g. an initializer). */
  | { type: 'component'; default?: ComponentRef; description: string; optional?: boolean };

/** A plugin reference inside a config: 'he' or { name: 'normal', config: { std: 0.1 } }. */
export type ComponentRef = string | Readonly<{ name: string; config?: Readonly<Record<string, unknown>> }>;

export type ConfigSchema = Readonly<Record<string, FieldSpec>>;

type FieldValue<F extends FieldSpec> = F extends { type: 'number' }
  ? number
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { type: 'string'; oneOf: readonly (infer S)[] }
      ? S
      : F extends { type: 'string' }
        ? string
        : F extends { type: 'number[]' }
          ? readonly number[]
          : F extends { type: 'string[]' }
            ? readonly string[]
            : F extends { type: 'component' }
              ? ComponentRef
              : Readonly<Record<string, unknown>>;

/** The validated config type of a schema (optional fields without a default may be undefined). */
export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends { optional: true; default?: undefined } ? FieldValue<S[K]> | undefined : FieldValue<S[K]>;
};

/** Builds a schema literal with its types kept. */
export function defineSchema<S extends ConfigSchema>(schema: S): S {
  return schema;
}

export function describeAllowed(spec: FieldSpec): string {
  switch (spec.type) {
    case 'number': {
      const parts: string[] = [spec.integer ? 'an integer' : 'a number'];
      if (spec.min !== undefined) parts.push(`${spec.exclusiveMin ? '>' : '≥'} ${spec.min}`);
      if (spec.max !== undefined) parts.push(`${spec.exclusiveMax ? '<' : '≤'} ${spec.max}`);
      const ex = spec.example ?? spec.default;
      return parts.join(' ') + (ex !== undefined ? ` (e.g. ${ex})` : '');
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      if (spec.oneOf) return `one of ${spec.oneOf.map((s) => `'${s}'`).join(', ')}`;
      return spec.pattern ? `a string matching ${spec.pattern}` : 'a string';
    case 'number[]':
      return 'a list of numbers';
    case 'string[]':
      return 'a list of strings';
    case 'object':
      return 'an object';
    case 'component':
      return "a plugin name or { name, config } (e.g. 'he' or { name: 'normal', config: { std: 0.1 } })";
  }
}

function fail(owner: string, key: string, value: unknown, spec: FieldSpec): never {
  throw new AnnealError(
    'ANNEAL_ERR_CONFIG_VALUE',
    `${owner}: config '${key}' = ${JSON.stringify(value)} is not allowed; it must be ${describeAllowed(spec)}. ${spec.description}.`,
    { owner, key, value, allowed: describeAllowed(spec) },
  );
}

function checkField(owner: string, key: string, value: unknown, spec: FieldSpec): unknown {
  switch (spec.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(owner, key, value, spec);
      if (spec.integer && !Number.isInteger(value)) fail(owner, key, value, spec);
      if (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min)) fail(owner, key, value, spec);
      if (spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max)) fail(owner, key, value, spec);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(owner, key, value, spec);
      return value;
    case 'string':
      if (typeof value !== 'string') fail(owner, key, value, spec);
      if (spec.oneOf && !spec.oneOf.includes(value)) fail(owner, key, value, spec);
      if (spec.pattern && !spec.pattern.test(value)) fail(owner, key, value, spec);
      return value;
    case 'number[]':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(owner, key, value, spec);
      if (spec.minItems !== undefined && value.length < spec.minItems) fail(owner, key, value, spec);
      return Object.freeze([...value]);
    case 'string[]':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(owner, key, value, spec);
      return Object.freeze([...value]);
    case 'object':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(owner, key, value, spec);
      return Object.freeze({ ...(value as Record<string, unknown>) });
    case 'component': {
      if (typeof value === 'string' && value.length > 0) return value;
      const v = value as { name?: unknown; config?: unknown } | null;
      const okConfig = v?.config === undefined || (typeof v.config === 'object' && v.config !== null && !Array.isArray(v.config));
      if (!v || typeof v !== 'object' || Array.isArray(v) || typeof v.name !== 'string' || !okConfig) fail(owner, key, value, spec);
      return Object.freeze({ ...(v as object), ...(v.config ? { config: Object.freeze({ ...(v.config as object) }) } : {}) });
    }
  }
}

/**
 * Validates `input` against `schema` for `owner` (e.g. "plugin 'annealed-gaussian'").
 * Unknown keys → ANNEAL_ERR_CONFIG_KEY with the nearest known key; bad values → ANNEAL_ERR_CONFIG_VALUE.
 */
export function validateConfig<S extends ConfigSchema>(owner: string, schema: S, input: Readonly<Record<string, unknown>> | undefined): ConfigOf<S> {
  const given = input ?? {};
  const known = Object.keys(schema);
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      throw new AnnealError(
        'ANNEAL_ERR_CONFIG_KEY',
        `${owner}: unknown config key '${key}'.${didYouMean(key, known)} Known keys: ${known.join(', ') || '(none)'}.`,
        { owner, key, known },
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const value = key in given && given[key] !== undefined ? given[key] : spec.default;
    if (value === undefined) {
      if (spec.optional) continue;
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${owner}: config '${key}' is required; it must be ${describeAllowed(spec)}. ${spec.description}.`, {
        owner,
        key,
      });
    }
    out[key] = checkField(owner, key, value, spec);
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** A printable description of a schema (for `anneal plugins show`). */
export function describeSchema(schema: ConfigSchema): Array<{ key: string; type: string; default: unknown; allowed: string; description: string }> {
  return Object.entries(schema).map(([key, spec]) => ({
    key,
    type: spec.type,
    default: spec.default,
    allowed: describeAllowed(spec),
    description: spec.description,
  }));
}
