/** What the runner (or a report) knows about one trial once it has ended. */
export interface TrialOutcome {
  readonly trialId: string;
  readonly runId: string;
  readonly variant?: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly restart?: number;
  readonly status: string;
  readonly final: Readonly<Record<string, number>>;
  readonly steps: number;
  readonly epochs?: number;
  readonly durationMs?: number;
}
