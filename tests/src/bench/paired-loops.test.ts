import test from 'ava';
import { Trainer } from '@anneal/core';
import { planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';
import { pairedTrainerLoops, Turns, turnIntervals } from './paired-loops.js';

/** Two loops of `steps` each through Turns: the order their steps ran in, as "who:step". */
async function order(block: number, steps: [number, number]): Promise<string[]> {
  const turns = new Turns(block);
  const ran: string[] = [];
  const loop = async (who: 0 | 1) => {
    for (let s = 0; s < steps[who]; s++) {
      await turns.before(who);
      ran.push(`${who}:${s}`);
      await new Promise<void>((r) => setImmediate(r)); // a trainer yields between steps
    }
    turns.finish(who);
  };
  await Promise.all([loop(0), loop(1)]);
  return ran;
}

test('two loops take turns of `block` steps, and one that is done leaves the other to run on', async (t) => {
  t.deepEqual(await order(2, [5, 5]), ['0:0', '0:1', '1:0', '1:1', '0:2', '0:3', '1:2', '1:3', '0:4', '1:4']);
  t.deepEqual(await order(3, [2, 5]), ['0:0', '0:1', '1:0', '1:1', '1:2', '1:3', '1:4']);
  t.deepEqual(await order(2, [6, 1]), ['0:0', '0:1', '1:0', '0:2', '0:3', '0:4', '0:5']);
  t.throws(() => new Turns(1), { message: /block must be an integer ≥ 2/ });
});

test('turnIntervals: only from one step to the next in the same turn, and none ending before the warmup', (t) => {
  const stamps = [
    { step: 0, at: 0, turn: 0 },
    { step: 1, at: 10, turn: 0 },
    { step: 2, at: 21, turn: 0 },
    { step: 3, at: 100, turn: 2 }, // after the other loop's turn: not an interval
    { step: 4, at: 113, turn: 2 },
  ];
  t.deepEqual(turnIntervals(stamps, 0), [10, 11, 13]);
  t.deepEqual(turnIntervals(stamps, 2), [11, 13]);
  t.deepEqual(turnIntervals(stamps, 5), []);
});

test.serial('pairedTrainerLoops: two real trainers in turns each train as they do alone, and each gives its timed intervals', async (t) => {
  const recipe = (eta: number) =>
    tinyRecipe({ seeds: [3], plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }, { plugin: 'annealed-gaussian', config: { eta } }], training: { batchSize: 16, epochs: 2 } });
  const alone = async (plan: Awaited<ReturnType<typeof planFor>>) => {
    const seen: number[] = [];
    const trainer = new Trainer(plan, { runId: 'solo' });
    trainer.events.tap((e, p) => e === 'step:end' && seen.push((p as { loss: number }).loss));
    await trainer.run();
    trainer.dispose();
    return seen;
  };
  const solo = [await alone(await planFor(testCatalog(), recipe(0.01))), await alone(await planFor(testCatalog(), recipe(0.3)))];
  const seen: number[][] = [[], []];
  const intervals = await pairedTrainerLoops([await planFor(testCatalog(), recipe(0.01)), await planFor(testCatalog(), recipe(0.3))], 1, 3, (who, e, p) => {
    if (e === 'step:end') seen[who].push((p as { loss: number }).loss);
  });
  t.is(solo[0].length, 8);
  t.deepEqual(seen, solo, 'each trainer of the pair has the losses it has alone');
  t.notDeepEqual(solo[0], solo[1]);
  // 8 steps in turns of 3: steps 0–2, 3–5, 6–7 → intervals ending at steps 1, 2, 4, 5, 7 (warmup 1 drops none of them)
  t.is(intervals[0].length, 5);
  t.is(intervals[1].length, 5);
  t.true(intervals.flat().every((ms) => ms >= 0));
});
