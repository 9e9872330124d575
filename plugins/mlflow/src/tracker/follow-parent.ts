import type { LocalRunStore } from '@anneal/core';
import type { DeliverySession } from '../spool/delivery-session.js';
import { acquireLock, lockHolder, releaseLock } from '../spool/sync-state.js';

/**
 * When the local store set a parent's status from its children (LocalRunStore.followChildren: the
 * parent's own process had ended, and a child started or ended since), sends that status to MLflow:
 * one bounded pass over the parent's spool. Returns undefined when there is nothing to send (the
 * parent's status is its own, another live process delivers it, or MLflow has it already).
 * Undelivered, it stays spooled for `anneal mlflow sync`.
 */
export function deliverFollowedParent(
  ctx: { readonly store: LocalRunStore; readonly session: DeliverySession; readonly budgetMs: number },
  parentRunId: string | undefined,
): Promise<void> | undefined {
  if (!parentRunId || !ctx.store.hasRun(parentRunId)) return undefined;
  const meta = ctx.store.readMeta(parentRunId);
  const dir = ctx.store.runDir(parentRunId);
  const holder = lockHolder(dir);
  if (!meta.statusFromChildren || (holder !== undefined && holder !== process.pid)) return undefined;
  const deliverer = ctx.session.deliverer(parentRunId);
  if (!deliverer.pending(meta).status) return undefined;
  return (async () => {
    acquireLock(dir);
    try {
      await deliverer.pass({ artifacts: true, maxRetries: 2, signal: AbortSignal.timeout(ctx.budgetMs) });
    } catch (error) {
      ctx.session.log(`parent run ${parentRunId} is ${meta.status} (from its children) but MLflow has not heard yet (${(error as Error).message}); deliver it with: anneal mlflow sync ${parentRunId}`);
    } finally {
      releaseLock(dir);
    }
  })();
}
