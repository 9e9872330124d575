import test, { type ExecutionContext } from 'ava';
import { selectBackend } from '@anneal/registry';

/**
 * Registers serial tests that run on the tensorflow backend (selected once, before them). Where tensorflow is
 * required (CI: ANNEAL_CONFORMANCE_BACKENDS names it) a backend that does not start fails them; elsewhere they
 * pass as skipped, with the reason.
 */
export function tensorflowTests(): (title: string, body: (t: ExecutionContext) => void | Promise<void>) => void {
  const required = (process.env.ANNEAL_CONFORMANCE_BACKENDS ?? '').split(',').includes('tensorflow');
  let unavailable: string | undefined;
  test.before(async () => {
    try {
      await selectBackend('tensorflow');
    } catch (error) {
      unavailable = (error as Error).message.split('\n')[0];
    }
  });
  return (title, body) =>
    test.serial(title, async (t) => {
      if (unavailable !== undefined) {
        if (required) t.fail(`tensorflow is required here but does not start: ${unavailable}`);
        else t.pass(`skipped: ${unavailable}`);
        return;
      }
      await body(t);
    });
}
