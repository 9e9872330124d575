import * as tf from '@tensorflow/tfjs-core';
import { Trainer, type ExecutionPlan } from '@anneal/core';

/** Kernels of one phase of the step: count and kernel time by kernel name. */
export interface PhaseProfile {
  readonly phase: string;
  readonly kernels: number;
  readonly kernelMs: number;
  readonly byKernel: Readonly<Record<string, { readonly count: number; readonly ms: number }>>;
}

export interface StepProfile {
  /** Wall time of the profiled steps, per step (profiling adds its own cost: compare shares, not times). */
  readonly wallMsPerStep: number;
  readonly kernelsPerStep: number;
  readonly phases: readonly PhaseProfile[];
  /** Wall ms per step in each phase, from a second, unprofiled run (kernels run synchronously on cpu, wasm, tensorflow). */
  readonly wallMsByPhase: Readonly<Record<string, number>>;
  /** Median step-to-step wall time of that run, and how many intervals it had. */
  readonly unprofiledMsPerStep: number;
  readonly unprofiledSteps: number;
}

/**
 * Where a trainer step's time goes, by phase (batch, forward-backward, pre-clip … post-update, then what
 * follows the step: host reads and observers) and by kernel, from tf.profile over `steps` steps after warm-up.
 * Phases come from the trainer's stage tracer; each kernel is charged to the phase that was open when it ran.
 */
export async function profileTrainerSteps(makePlan: () => Promise<ExecutionPlan>, steps = 5, warmup = 3): Promise<StepProfile> {
  const warm = new Trainer(await makePlan(), { runId: 'profile-warmup', stopAfterSteps: warmup });
  await warm.run();
  warm.dispose();
  const plan = await makePlan();
  const marks: { phase: string; at: number }[] = [];
  const engineState = () => (tf.engine() as unknown as { state: { activeProfile: { kernels: unknown[] } } }).state.activeProfile.kernels.length;
  const trainer = new Trainer(plan, {
    runId: 'profile',
    stopAfterSteps: steps,
    trace: (stage) => marks.push({ phase: stage, at: engineState() }),
  });
  trainer.events.tap((event) => {
    if (event === 'step:end') marks.push({ phase: 'after the step (host reads, observers)', at: engineState() });
  });
  const started = performance.now();
  const info = await tf.profile(async () => {
    await trainer.run();
  });
  const wall = performance.now() - started;
  trainer.dispose();
  plan.model.instance.dispose();
  const kernels = info.kernels as unknown as { name: string; kernelTimeMs: number | { error: string } }[];
  const phases = new Map<string, { kernels: number; kernelMs: number; byKernel: Record<string, { count: number; ms: number }> }>();
  let m = 0;
  let phase = 'setup';
  kernels.forEach((k, i) => {
    while (m < marks.length && marks[m].at <= i) phase = marks[m++].phase;
    const p = phases.get(phase) ?? { kernels: 0, kernelMs: 0, byKernel: {} };
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    p.kernels += 1 / steps;
    p.kernelMs += ms / steps;
    const b = (p.byKernel[k.name] ??= { count: 0, ms: 0 });
    b.count += 1 / steps;
    b.ms += ms / steps;
    phases.set(phase, p);
  });
  const unprofiled = await phaseWallTimes(await makePlan());
  return {
    ...unprofiled,
    wallMsPerStep: wall / steps,
    kernelsPerStep: kernels.length / steps,
    phases: [...phases.entries()].map(([name, p]) => ({ phase: name, ...p })),
  };
}

/**
 * Wall time per phase of an unprofiled run: for each step after the first `skip`, the time from each stage mark to
 * the next (the last phase of a step runs to the next step's start), then the median over steps of each phase.
 * The step time is the median step-to-step interval.
 */
async function phaseWallTimes(plan: ExecutionPlan, skip = 2): Promise<{ wallMsByPhase: Record<string, number>; unprofiledMsPerStep: number; unprofiledSteps: number }> {
  const AFTER = 'after the step (host reads, observers, loop)';
  const perStep: Record<string, number>[] = [];
  const starts: number[] = [];
  let open: { phase: string; at: number } | undefined;
  const mark = (phase: string) => {
    const now = performance.now();
    if (phase === 'forward-backward') {
      starts.push(now);
      perStep.push({});
    }
    if (open && perStep.length > 0) {
      const step = perStep[open.phase === AFTER ? perStep.length - 2 : perStep.length - 1];
      if (step) step[open.phase] = (step[open.phase] ?? 0) + now - open.at;
    }
    open = { phase, at: now };
  };
  const trainer = new Trainer(plan, { runId: 'profile-wall', trace: mark });
  trainer.events.tap((event) => {
    if (event === 'step:end') mark(AFTER);
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  const steps = perStep.slice(skip, -1); // the last step's 'after' span is not closed
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? Number.NaN;
  const phases = [...new Set(steps.flatMap((p) => Object.keys(p)))];
  const wallMsByPhase = Object.fromEntries(phases.map((k) => [k, median(steps.map((p) => p[k] ?? 0))]));
  const gaps = starts.slice(skip + 1).map((t, i) => t - starts[skip + i]);
  return { wallMsByPhase, unprofiledMsPerStep: median(gaps), unprofiledSteps: gaps.length };
}

/** A few lines: kernels and kernel ms per phase, and the top kernels overall. */
export function formatStepProfile(p: StepProfile, top = 6, detail = false): string {
  const lines = [`    ${p.kernelsPerStep.toFixed(0)} kernels/step, ${p.wallMsPerStep.toFixed(2)} ms/step while profiled`];
  const total = p.phases.reduce((s, x) => s + x.kernelMs, 0);
  for (const x of p.phases) {
    lines.push(`    ${x.phase.padEnd(40)} ${x.kernels.toFixed(0).padStart(5)} kernels  ${x.kernelMs.toFixed(2).padStart(7)} ms  (${total > 0 ? ((100 * x.kernelMs) / total).toFixed(0) : '–'} % of kernel time)`);
    if (detail) lines.push(`      ${Object.entries(x.byKernel).sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => `${k} ×${v.count.toFixed(0)} ${v.ms.toFixed(2)}`).join(', ')}`);
  }
  lines.push(`    unprofiled: ${p.unprofiledMsPerStep.toFixed(2)} ms/step (median of ${p.unprofiledSteps}); median ms per phase: ${Object.entries(p.wallMsByPhase).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  const all = new Map<string, { count: number; ms: number }>();
  for (const x of p.phases) for (const [k, v] of Object.entries(x.byKernel)) all.set(k, { count: (all.get(k)?.count ?? 0) + v.count, ms: (all.get(k)?.ms ?? 0) + v.ms });
  const best = [...all.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  lines.push(`    top kernels: ${best.map(([k, v]) => `${k} ×${v.count.toFixed(0)} ${v.ms.toFixed(2)} ms`).join(', ')}`);
  return lines.join('\n');
}
