import type { ReportRun } from './report-run.js';

const when = (r: ReportRun) => r.endTime ?? r.startTime;

/**
 * Counts every trial once: per trial id the latest FINISHED run, or — when none finished — the latest
 * run of any status (so failed / killed trials are counted as such, once). Runs without a trial id
 * stand alone. `superseded` are the runs left out (earlier attempts of a trial).
 */
export function latestPerTrial(runs: readonly ReportRun[]): { counted: ReportRun[]; superseded: ReportRun[] } {
  const groups = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const key = r.trialId ?? `run:${r.runId}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const counted: ReportRun[] = [];
  const superseded: ReportRun[] = [];
  for (const g of groups.values()) {
    const finished = g.filter((r) => r.status === 'FINISHED').sort((a, b) => when(b) - when(a));
    const pick = finished[0] ?? [...g].sort((a, b) => b.startTime - a.startTime)[0];
    counted.push(pick);
    for (const r of g) if (r !== pick) superseded.push(r);
  }
  counted.sort((a, b) => a.startTime - b.startTime || a.runId.localeCompare(b.runId));
  return { counted, superseded };
}

/** A short label for a grid setting: the last part of each dotted key, e.g. "learningRate=0.1". */
export function settingLabel(setting: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(setting);
  if (entries.length === 0) return 'all';
  return entries.map(([k, v]) => `${k.split('.').pop()}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

/** A stable key for a setting (keys sorted). */
export function settingKey(setting: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(setting).sort().map((k) => [k, setting[k]]));
}
