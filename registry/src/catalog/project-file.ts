import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnealError, didYouMean } from '@anneal/core';
import { isPlainObject } from '../recipes/check-shape.js';

export const PROJECT_FILE = 'anneal.config.json';
const PROJECT_KEYS = ['plugins', 'recipes'] as const;

/** One entry of a project file, with where it sits (`anneal.config.json: plugins[1]`) for messages. */
export interface ProjectEntry {
  readonly spec: string;
  readonly where: string;
}

/** What a project file asks to load. Paths in it are relative to `dir`. */
export interface ProjectFile {
  /** The file as named in messages: 'anneal.config.json' or 'package.json' (key "anneal"). */
  readonly label: string;
  readonly dir: string;
  readonly plugins: readonly ProjectEntry[];
  readonly recipes: readonly ProjectEntry[];
}

function readJson(file: string, label: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${label}: not valid JSON: ${(error as Error).message}. Fix the file (it lists the plugin packages and recipe files anneal loads).`, { file });
  }
}

function entries(value: unknown, at: string): ProjectEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${at}: must be a list of strings (paths or package names), got ${JSON.stringify(value)}.`, { where: at });
  }
  return value.map((spec, i) => {
    const where = `${at}[${i}]`;
    if (typeof spec !== 'string' || spec.trim() === '') {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${where}: must be a non-empty string (a path or a package name), got ${JSON.stringify(spec)}.`, { where });
    }
    return { spec, where };
  });
}

function parseProject(value: unknown, label: string, prefix: string, dir: string): ProjectFile {
  const at = (key: string) => `${label}: ${prefix}${key}`;
  if (!isPlainObject(value)) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${label}${prefix ? `: ${prefix.slice(0, -1)}` : ''}: must be an object like { "plugins": ["my-anneal-plugin"], "recipes": ["./my-recipe.json"] }.`);
  }
  for (const key of Object.keys(value)) {
    if (!(PROJECT_KEYS as readonly string[]).includes(key)) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `${at(key)}: unknown key '${key}'.${didYouMean(key, PROJECT_KEYS)} Known: ${PROJECT_KEYS.join(', ')}.`, { key });
    }
  }
  return { label, dir, plugins: entries(value.plugins, at('plugins')), recipes: entries(value.recipes, at('recipes')) };
}

/**
 * The project file of `cwd`: `anneal.config.json`, or the "anneal" key of `package.json`
 * (`{ "plugins": [...], "recipes": [...] }`). Undefined when there is none; a malformed one fails
 * with the file and the key named.
 */
export function readProjectFile(cwd: string): ProjectFile | undefined {
  const own = join(cwd, PROJECT_FILE);
  const pkgFile = join(cwd, 'package.json');
  const pkg = existsSync(pkgFile) ? readJson(pkgFile, 'package.json') : undefined;
  const inPkg = isPlainObject(pkg) && pkg.anneal !== undefined;
  if (existsSync(own)) {
    if (inPkg) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `both ${PROJECT_FILE} and package.json (key "anneal") configure this project (${cwd}); keep one of them.`, { cwd });
    }
    return parseProject(readJson(own, PROJECT_FILE), PROJECT_FILE, '', cwd);
  }
  return inPkg ? parseProject(pkg.anneal, 'package.json', 'anneal.', cwd) : undefined;
}
