import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnealError } from '@anneal/core';
import type { TrialSpec } from '../trials/trial-spec.js';
import type { RecipeFacts } from './report-run.js';

/** Artifact of the sweep run that lists its trials (what `--resume` re-reads). */
export const SWEEP_MANIFEST = 'sweep.json';
/** Tag values on the sweep run. */
export const SWEEP_KIND = 'sweep';

/** A trial as stored in the manifest: its whole spec, so a resume runs exactly what was planned. */
export type SweepTrial = TrialSpec;

export interface SweepManifest {
  readonly format: 1;
  readonly sweepId: string;
  readonly createdAt: number;
  /** The recipe as registered (name/version) with what reports need (after --quick): paper, restarts, report, metrics. */
  readonly recipe: RecipeFacts & { readonly version: number };
  readonly quick: boolean;
  /** --seed overrides, when given. */
  readonly seeds?: readonly number[];
  readonly sets: readonly { readonly path: string; readonly value: unknown }[];
  /** --plugin modules (paths made absolute) and the plugin names they gave. */
  readonly pluginModules: readonly string[];
  readonly extraPlugins: readonly string[];
  /** The backend the sweep was started with (a resume uses it unless --backend is given). */
  readonly backend: string;
  readonly trials: readonly SweepTrial[];
}

/** Reads a sweep's manifest from its run directory in the local store. */
export function readSweepManifest(artifactsDir: string, sweepId: string): SweepManifest {
  const path = join(artifactsDir, SWEEP_MANIFEST);
  if (!existsSync(path)) {
    throw new AnnealError('ANNEAL_ERR_RESUME', `run ${sweepId} has no ${SWEEP_MANIFEST}: it is not a sweep started with 'anneal sweep' (resume single runs with 'anneal run --resume <run-id>').`);
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as SweepManifest;
  if (manifest.format !== 1 || !Array.isArray(manifest.trials) || manifest.trials.some((t) => t.format !== 1)) throw new AnnealError('ANNEAL_ERR_RESUME', `${path} is not a sweep manifest this version of anneal can read (format ${JSON.stringify(manifest.format)}).`);
  return manifest;
}
