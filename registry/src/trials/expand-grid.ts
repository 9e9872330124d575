import { createHash } from 'node:crypto';

/** Every combination of a grid's values, keys in insertion order (the first key varies slowest). */
export function cartesian(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) out = out.flatMap((acc) => values.map((v) => ({ ...acc, [key]: v })));
  return out;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface TrialIdentity {
  readonly recipe: string;
  readonly version: number;
  readonly quick: boolean;
  readonly variant: string | null;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly restart: number | null;
  readonly sets: readonly { readonly path: string; readonly value: unknown }[];
}

/** The stable trial id: 12 hex digits of the SHA-256 of the trial's identity. */
export function trialId(identity: TrialIdentity): string {
  return createHash('sha256').update(stableJson(identity)).digest('hex').slice(0, 12);
}

/** "lr=0.1 task=3": a grid setting by the last part of each key. */
export function settingLabel(setting: Readonly<Record<string, unknown>>): string {
  return Object.entries(setting)
    .map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`)
    .join(' ');
}
