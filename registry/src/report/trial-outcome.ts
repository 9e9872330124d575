/** What the runner (or a report) knows about one trial once it has ended (defined with the trial spec). */
export type { TrialOutcome } from '../trials/trial-spec.js';
