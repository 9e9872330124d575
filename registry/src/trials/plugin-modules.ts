import { isAbsolute, resolve } from 'node:path';

/** A --plugin module as stored in trial specs: relative paths made absolute (so workers and --resume find them), package names as given. */
export function absoluteModule(spec: string, cwd = process.cwd()): string {
  return spec.startsWith('.') || isAbsolute(spec) ? resolve(cwd, spec) : spec;
}
