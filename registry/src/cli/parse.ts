import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { AnnealError } from '@anneal/core';

/** Parsed flags: booleans, strings, or lists for `multiple` options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Flags = Record<string, any>;

/** parseArgs (strict, positionals allowed, --help added) with anneal's usage error naming the bad flag. */
export function parse(command: string, args: readonly string[], options: ParseArgsOptionsConfig): { values: Flags; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: r.values as Flags, positionals: r.positionals };
  } catch (error) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `${command}: ${(error as Error).message}. See 'anneal ${command} --help'.`);
  }
}

export function toList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
