import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalRunStore } from '@anneal/core';
import type { CallOptions, MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import { redact } from '../config/env-config.js';
import type { TargetState } from './sync-state.js';

/** Text artifacts are redacted (credentials replaced by '***') before upload; binary ones are sent as they are. */
const TEXT_ARTIFACT = /\.(json|jsonl|md|txt|log|ya?ml|csv|svg|html)$|(^|\/)MLmodel$/i;

export interface ArtifactSpoolContext {
  readonly store: LocalRunStore;
  readonly localRunId: string;
  readonly client: MlflowClient;
  readonly secrets: readonly string[];
  log(line: string): void;
  readonly stats: { artifacts: number };
  /** The delivery state (artifacts sent with their signatures, artifactUri), shared with the run's deliverer. */
  state(): TargetState;
  save(): void;
}

/**
 * The artifact half of a run's delivery: uploads each file of the run's artifacts/ whose size and
 * mtime differ from what the server acknowledged, and records it only after the acknowledgement.
 * A server that does not proxy artifacts (e.g. --no-serve-artifacts) is noted once and skipped.
 */
export class ArtifactSpool {
  private unsupported?: string;

  constructor(private readonly ctx: ArtifactSpoolContext) {}

  /** Why artifacts cannot be uploaded to this server, once that is known. */
  get unsupportedReason(): string | undefined {
    return this.unsupported;
  }

  private signature(rel: string): string {
    const st = statSync(join(this.ctx.store.artifactsDir(this.ctx.localRunId), rel));
    return `${st.size}:${Math.trunc(st.mtimeMs)}`;
  }

  /** Files changed or never sent (0 when the server cannot take artifacts). */
  pendingCount(): number {
    if (this.unsupported) return 0;
    let n = 0;
    for (const rel of this.ctx.store.listArtifacts(this.ctx.localRunId)) {
      try {
        if (this.ctx.state().artifacts[rel] !== this.signature(rel)) n++;
      } catch {
        // vanished
      }
    }
    return n;
  }

  async deliver(opts: CallOptions): Promise<void> {
    if (this.unsupported) return;
    const root = this.ctx.store.artifactsDir(this.ctx.localRunId);
    for (const rel of this.ctx.store.listArtifacts(this.ctx.localRunId)) {
      if (opts.signal?.aborted) return;
      let sig: string;
      try {
        sig = this.signature(rel);
      } catch {
        continue; // vanished
      }
      const state = this.ctx.state();
      if (state.artifacts[rel] === sig) continue;
      const bytes = readFileSync(join(root, rel));
      const data: Uint8Array | string = this.ctx.secrets.length && TEXT_ARTIFACT.test(rel) ? redact(bytes.toString('utf8'), this.ctx.secrets) : bytes;
      try {
        await this.ctx.client.uploadArtifact(state.artifactUri ?? '', rel, data, opts);
      } catch (error) {
        if (isMlflowError(error)) throw error;
        // Not an HTTP failure: the artifact root is not proxied (e.g. --no-serve-artifacts).
        this.unsupported = (error as Error).message;
        this.ctx.log(`artifacts of run ${this.ctx.localRunId} not uploaded: ${(error as Error).message}`);
        return;
      }
      this.ctx.state().artifacts[rel] = sig;
      this.ctx.stats.artifacts++;
      this.ctx.save();
    }
  }
}
