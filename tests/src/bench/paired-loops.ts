import { Trainer, type ExecutionPlan, type TrainEventName } from '@anneal/core';

/**
 * Two loops in one process taking turns of `block` steps each: `before(who)` is awaited by loop `who` (0 or 1) before
 * each of its steps, and returns the turn it runs in (a number that grows with every hand-over). A loop that is done
 * calls `finish(who)`, and the other one then runs on without waiting.
 */
export class Turns {
  private turn = 0;
  private taken = 0;
  private turnId = 0;
  private readonly finished = [false, false];
  private readonly wake: ((() => void) | undefined)[] = [undefined, undefined];

  constructor(private readonly block: number) {
    if (!(Number.isInteger(block) && block >= 2)) throw new Error(`Turns: block must be an integer ≥ 2 (a turn's first step is not timed), got ${block}`);
  }

  async before(who: 0 | 1): Promise<number> {
    if (this.turn === who && this.taken >= this.block && !this.finished[1 - who]) this.handOver();
    while (this.turn !== who) await new Promise<void>((resolve) => (this.wake[who] = resolve));
    if (this.taken >= this.block) this.taken = 0; // the other loop is done: this one goes on in the same turn
    this.taken += 1;
    return this.turnId;
  }

  finish(who: 0 | 1): void {
    this.finished[who] = true;
    if (this.turn === who && !this.finished[1 - who]) this.handOver();
  }

  private handOver(): void {
    this.turn = 1 - this.turn;
    this.taken = 0;
    this.turnId += 1;
    const wake = this.wake[this.turn];
    this.wake[this.turn] = undefined;
    wake?.();
  }
}

/** One step's end in a paired loop: when, and in which turn. */
export interface TurnStamp {
  readonly step: number;
  readonly at: number;
  readonly turn: number;
}

/**
 * The step-to-step intervals of a paired loop: from one step's end to the next's, only when both are in one turn (the
 * other loop ran nothing in between), and only for steps ≥ `warmup`, as trainerLoop drops its first `warmup`.
 */
export function turnIntervals(stamps: readonly TurnStamp[], warmup: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i].step >= warmup && stamps[i].turn === stamps[i - 1].turn) out.push(stamps[i].at - stamps[i - 1].at);
  }
  return out;
}

/**
 * The trainers on two plans in one process, in turns of `block` steps (Turns): the step-to-step wall times of each
 * (turnIntervals), as trainerLoop gives them for one. The noise share's in-process pair: a step with the noise plugin and
 * one without it are at most a turn apart, so a slower minute of a shared machine hits both alike.
 *
 * A turn's first step is not timed, on either side: it follows the other plan's steps (its caches are cold), and the
 * noise's prefetch makes its next draw in the step after its last one, which is the other plan's first. So the draw
 * a turn's last step hands over is made during an untimed step, and the turn's first step, which takes that draw
 * ready-made, is untimed too: neither side is timed with the other's work.
 */
export async function pairedTrainerLoops(
  plans: readonly [ExecutionPlan, ExecutionPlan],
  warmup: number,
  block: number,
  tap?: (who: 0 | 1, event: TrainEventName, payload: unknown) => void,
): Promise<[number[], number[]]> {
  const turns = new Turns(block);
  const stamps: [TurnStamp[], TurnStamp[]] = [[], []];
  const loop = async (who: 0 | 1) => {
    let turn = 0;
    let step = 0;
    const trainer = new Trainer(plans[who], {
      runId: `bench-paired-${who}`,
      beforeStep: async (s) => {
        step = s;
        turn = await turns.before(who);
      },
    });
    trainer.events.tap((event, payload) => {
      if (event === 'step:end') stamps[who].push({ step, at: performance.now(), turn });
      tap?.(who, event, payload);
    });
    try {
      await trainer.run();
    } finally {
      turns.finish(who);
      trainer.dispose();
    }
  };
  await Promise.all([loop(0), loop(1)]);
  return [turnIntervals(stamps[0], warmup), turnIntervals(stamps[1], warmup)];
}
