import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_CHOICES } from '@anneal/registry';
import { REPO_ROOT } from '../../helpers/run-cli.js';
import { median } from '../measure.js';
import { shareVerdict } from './share-verdict.js';
import { LinePeer } from './line-peer.js';
import { compareCheck, formatCheck, readCheck, type CheckResult, type InitCheck } from './peer-check.js';
import { PEER_MODELS, type PeerModel } from './peer-models.js';

const ANNEAL_PEER = join(dirname(fileURLToPath(import.meta.url)), 'anneal-peer.js');
const VENV_PYTHON = join(REPO_ROOT, '.bench-venv', 'bin', 'python');
const ENSURE_VENV = join(REPO_ROOT, 'scripts', 'ensure-bench-venv.sh');

/** The Python peers: label → script in tests/peers. */
export const PYTHON_PEERS: readonly { readonly label: string; readonly script: string }[] = [
  { label: 'pytorch', script: 'torch_peer.py' },
  { label: 'jax', script: 'jax_peer.py' },
  { label: 'keras', script: 'keras_peer.py' },
];

/** Models still without a peer implementation (listed in the output so the gap stays visible). */
export const NOT_YET_COVERED: readonly string[] = [];

export interface ContestantResult {
  readonly label: string;
  readonly kind: 'anneal' | 'peer';
  readonly version: string;
  /** Median over rounds of each round's median ms/step. */
  readonly ms: number;
  readonly roundMs: readonly number[];
  readonly notes: readonly string[];
  /** anneal only: median over rounds of (this round's ms ÷ the fastest peer's ms in the same round). */
  readonly ratioToFastestPeer?: number;
  /** false: the `--noise-share` twin of a contestant, run with the noise left out of its step. */
  readonly noise: boolean;
  /**
   * `--noise-share`, on the contestant with noise: the share of its step the noise takes, the median over rounds of
   * 1 − (its twin's ms without noise ÷ its ms), both from the same round.
   */
  readonly noiseShare?: number;
  /** `--noise-share`: that share in each round (the median above is theirs). */
  readonly noiseShareRounds?: readonly number[];
  /**
   * `--noise-share`, anneal only: the same share from pairs timed in the contestant's own process (ANNEAL_PEER_PAIR),
   * the median over rounds of 1 − (the steps without the noise plugin ÷ the steps with it).
   */
  readonly pairedNoiseShare?: number;
  /** The in-process share in each round. */
  readonly pairedNoiseShareRounds?: readonly number[];
  /** anneal with the fused noise op: over all rounds, the op calls that took a prefetched draw, and those that drew themselves. */
  readonly prefetch?: { readonly used: number; readonly missed: number };
}

export interface ModelResult {
  readonly model: string;
  readonly title: string;
  readonly rounds: number;
  readonly timedSteps: number;
  readonly contestants: readonly ContestantResult[];
  readonly fastestPeer?: string;
  readonly target?: number;
  readonly skipped: readonly { readonly label: string; readonly reason: string }[];
  /** checkInit models: every contestant's loss and gradient norm at anneal's initial weights against the exporter's. */
  readonly check?: CheckResult;
}

export interface PeerBenchResult {
  readonly models: readonly ModelResult[];
  readonly skippedContestants: readonly { readonly label: string; readonly reason: string }[];
  readonly notYetCovered: readonly string[];
}

export interface PeerBenchOptions {
  readonly models?: readonly string[];
  readonly rounds?: number;
  readonly backends?: readonly string[];
  readonly peers?: readonly string[];
  /** Also start every contestant a second time with the noise left out of its step (ANNEAL_PEER_NOISE=off), to report the noise's share. */
  readonly noiseShare?: boolean;
  readonly log: (line: string) => void;
}

interface Live {
  readonly peer: LinePeer;
  readonly kind: 'anneal' | 'peer';
  readonly version: string;
  readonly noise: boolean;
}

/** The label of a contestant's twin without noise (`--noise-share`). */
export const NO_NOISE_SUFFIX = '/no-noise';

const firstLine = (s: string | undefined) => (s ?? 'unknown error').trim().split('\n')[0].slice(0, 200);

/** Makes sure the benchmark venv exists (scripts/ensure-bench-venv.sh, idempotent); undefined or the reason it does not. */
function ensureVenv(log: (l: string) => void): string | undefined {
  const r = spawnSync('bash', [ENSURE_VENV], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  for (const l of `${r.stdout}`.split('\n').filter(Boolean)) log(`  [venv] ${l}`);
  if (r.status !== 0 || !existsSync(VENV_PYTHON)) return `scripts/ensure-bench-venv.sh failed (${r.status}): ${firstLine(r.stderr.split('\n').filter(Boolean).slice(-1)[0])}`;
  return undefined;
}

/** Whether `--noise-share` twins run: each contestant with its noise (true), then without (false). */
const noiseVariants = (opts: PeerBenchOptions): readonly boolean[] => (opts.noiseShare ? [true, false] : [true]);

/**
 * anneal's contestants for one model: one child process per backend, whose TensorFlow loads with the model's
 * training.tensorflowThreads (argv[3]). With --noise-share, also each one's twin whose step leaves the noise out.
 * Also accepted as a backend: tensorflow+graph, the trainer with training.graphStep 'on' (opt-in: a model whose
 * plugins have no graph form fails its setup there), and tensorflow+graph+xla, that with TensorFlow's XLA
 * auto-clustering (TF_XLA_FLAGS='--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit').
 */
async function startAnnealContestants(opts: PeerBenchOptions, skipped: { label: string; reason: string }[], model: PeerModel, noise: boolean): Promise<Live[]> {
  const live: Live[] = [];
  const suffix = noise ? '' : NO_NOISE_SUFFIX;
  const noiseEnv = noise ? (opts.noiseShare ? { ANNEAL_PEER_PAIR: '1' } : {}) : { ANNEAL_PEER_NOISE: 'off' };
  for (const backend of opts.backends ?? BACKEND_CHOICES.filter((c) => c !== 'auto')) {
    const label = `anneal/${backend}${suffix}`;
    const peer = new LinePeer(label, process.execPath, [ANNEAL_PEER, backend, model.name], { cwd: REPO_ROOT, env: noiseEnv });
    const hello = await peer.hello();
    if (hello.ok) live.push({ peer, kind: 'anneal', version: String(hello.version), noise });
    else {
      skipped.push({ label, reason: firstLine(hello.error) });
      await peer.close();
    }
  }
  return live;
}

/** The Python peers (long-lived: one process each, and its no-noise twin, for all models). */
async function startPythonPeers(opts: PeerBenchOptions, skipped: { label: string; reason: string }[]): Promise<Live[]> {
  const live: Live[] = [];
  const wanted = PYTHON_PEERS.filter((p) => !opts.peers || opts.peers.includes(p.label));
  const venvProblem = wanted.length > 0 ? ensureVenv(opts.log) : undefined;
  for (const noise of noiseVariants(opts)) {
    const suffix = noise ? '' : NO_NOISE_SUFFIX;
    const noiseEnv = noise ? {} : { ANNEAL_PEER_NOISE: 'off' };
    for (const p of wanted) {
      const label = `${p.label}${suffix}`;
      if (venvProblem) {
        skipped.push({ label, reason: venvProblem });
        continue;
      }
      const peer = new LinePeer(label, VENV_PYTHON, [join(REPO_ROOT, 'tests', 'peers', p.script)], {
        cwd: join(REPO_ROOT, 'tests', 'peers'),
        env: { PYTHONUNBUFFERED: '1', TF_CPP_MIN_LOG_LEVEL: '2', KERAS_BACKEND: 'tensorflow', JAX_PLATFORMS: 'cpu', CUDA_VISIBLE_DEVICES: '', ...noiseEnv },
      });
      const hello = await peer.hello(300_000);
      if (hello.ok) live.push({ peer, kind: 'peer', version: String(hello.version), noise });
      else {
        skipped.push({ label, reason: firstLine(hello.error) });
        await peer.close();
      }
    }
  }
  return live;
}

/**
 * A round's order: each contestant right beside its `--noise-share` twin, the twin second in even rounds and first in
 * odd ones. A share is 1 − twin ÷ contestant per round, and a shared machine's load drifts over seconds: the pair
 * measured back to back sees the same load (the whole list in order put five other contestants between them), and
 * alternating which goes first cancels what running second does to a process (warm caches, the other's leftovers).
 */
export function pairedOrder<T extends { live: { peer: { label: string }; noise: boolean } }>(ready: readonly T[], round: number): T[] {
  const byLabel = new Map(ready.map((c) => [c.live.peer.label, c]));
  const order: T[] = [];
  for (const c of ready) {
    if (!c.live.noise) continue;
    const twin = byLabel.get(`${c.live.peer.label}${NO_NOISE_SUFFIX}`);
    order.push(...(twin ? (round % 2 === 0 ? [c, twin] : [twin, c]) : [c]));
  }
  const placed = new Set(order);
  return [...order, ...ready.filter((c) => !placed.has(c))];
}

async function benchModel(model: PeerModel, live: readonly Live[], rounds: number, log: (l: string) => void): Promise<ModelResult> {
  const skipped: { label: string; reason: string }[] = [];
  const base = { model: model.name, title: model.title, rounds, timedSteps: model.steps - model.warmup, target: model.target };
  const dataDir = mkdtempSync(join(tmpdir(), `anneal-peers-${model.name}-`));
  try {
    const ready: { live: Live; notes: string[]; check?: InitCheck }[] = [];
    let exported = false;
    let reference: ({ label: string } & InitCheck) | undefined;
    for (const c of live) {
      if (c.kind === 'peer' && !exported) {
        skipped.push({ label: c.peer.label, reason: 'no anneal contestant wrote the batches' });
        continue;
      }
      const r = await c.peer.request({ op: 'setup', model: model.name, dataDir, steps: model.steps, warmup: model.warmup, ...(c.kind === 'anneal' && !exported ? { exportDir: dataDir } : {}) });
      if (!r.ok) {
        skipped.push({ label: c.peer.label, reason: firstLine(r.error) });
        continue;
      }
      const check = readCheck(r.check);
      if (c.kind === 'anneal' && !exported && check) reference = { label: c.peer.label, ...check };
      if (c.kind === 'anneal') exported = true;
      ready.push({ live: c, notes: (r.notes as string[] | undefined) ?? [], check });
    }
    const check: CheckResult | undefined =
      model.checkInit && reference
        ? {
            reference,
            rows: ready.filter((c) => c.check && c.live.peer.label !== reference!.label).map((c) => compareCheck(c.live.peer.label, c.check!, reference!)),
            missing: ready.filter((c) => !c.check).map((c) => c.live.peer.label),
          }
        : undefined;
    if (rounds === 0) return { ...base, contestants: [], skipped, ...(check ? { check } : {}) };
    const per = new Map<string, number[]>(ready.map((c) => [c.live.peer.label, []]));
    const pairedShares = new Map<string, number[]>(); // ANNEAL_PEER_PAIR: 1 − quiet ÷ noisy, per round
    const prefetches = new Map<string, { used: number; missed: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const c of pairedOrder(ready, round)) {
        const label = c.live.peer.label;
        if (!per.has(label)) continue;
        const r = await c.live.peer.request({ op: 'run', model: model.name });
        if (!r.ok) {
          skipped.push({ label, reason: `failed in round ${round + 1}: ${firstLine(r.error)}` });
          per.delete(label);
          continue;
        }
        per.get(label)!.push(median(r.ms as number[]));
        const pf = r.prefetch as { used: number; missed: number } | undefined;
        if (pf) prefetches.set(label, { used: (prefetches.get(label)?.used ?? 0) + pf.used, missed: (prefetches.get(label)?.missed ?? 0) + pf.missed });
        if (Array.isArray(r.quietMs)) pairedShares.set(label, [...(pairedShares.get(label) ?? []), 1 - median(r.quietMs as number[]) / median(r.ms as number[])]);
      }
      log(`  round ${round + 1}/${rounds}: ${[...per.entries()].map(([k, v]) => `${k} ${v[v.length - 1]?.toFixed(2)}`).join(', ')}`);
    }
    const done = ready.filter((c) => per.has(c.live.peer.label));
    const peers = done.filter((c) => c.live.kind === 'peer' && c.live.noise);
    const msOf = (label: string) => median(per.get(label)!);
    const fastest = peers.length ? peers.reduce((a, b) => (msOf(a.live.peer.label) <= msOf(b.live.peer.label) ? a : b)).live.peer.label : undefined;
    const contestants: ContestantResult[] = done.map((c) => {
      const label = c.live.peer.label;
      const roundMs = per.get(label)!;
      const ratio = c.live.kind === 'anneal' && c.live.noise && fastest ? median(roundMs.map((v, i) => v / per.get(fastest)![i])) : undefined;
      const twin = c.live.noise ? per.get(`${label}${NO_NOISE_SUFFIX}`) : undefined;
      const shareRounds = twin ? roundMs.map((v, i) => 1 - twin[i] / v) : undefined;
      const noiseShare = shareRounds ? median(shareRounds) : undefined;
      const paired = pairedShares.get(label);
      return {
        label, kind: c.live.kind, version: c.live.version, ms: median(roundMs), roundMs, notes: c.notes, noise: c.live.noise,
        ...(ratio !== undefined ? { ratioToFastestPeer: ratio } : {}), ...(noiseShare !== undefined ? { noiseShare, noiseShareRounds: shareRounds } : {}),
        ...(paired?.length ? { pairedNoiseShare: median(paired), pairedNoiseShareRounds: paired } : {}),
        ...(prefetches.has(label) ? { prefetch: prefetches.get(label)! } : {}),
      };
    });
    return { ...base, contestants, fastestPeer: fastest, skipped, ...(check ? { check } : {}) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const formatShare = (share: number) => `${(100 * share).toFixed(1)} %`;
/** A share with its interval over the rounds (share-verdict.ts): "4.9 % (2.1–8.0 %)". */
const formatShareRounds = (share: number, rounds: readonly number[] | undefined) => {
  if (!rounds?.length) return formatShare(share);
  const v = shareVerdict(rounds, NOISE_SHARE_TARGET);
  return `${formatShare(share)} (${(100 * v.low).toFixed(1)}–${formatShare(v.high)})`;
};
/** The noise target of issue 14: the plugin's share of a step. */
const NOISE_SHARE_TARGET = 0.05;

/** The table of one model, as printed. */
export function formatModel(m: ModelResult): string[] {
  const out = [`${m.title}`, m.rounds > 0 ? `  (${m.rounds} interleaved rounds × ${m.timedSteps} timed steps; ms/step = median of the round medians)` : '  (check only: no timed rounds)'];
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
  for (const c of m.contestants) {
    const range = c.roundMs.length ? `${fmt(Math.min(...c.roundMs))}–${fmt(Math.max(...c.roundMs))}` : '';
    let line = `  ${c.label.padEnd(18)} ${fmt(c.ms).padStart(8)} ms  (rounds ${range})`;
    if (c.ratioToFastestPeer !== undefined) {
      const verdict = m.target === undefined ? '  (no target)' : `  (target ≤ ${m.target}: ${c.ratioToFastestPeer <= m.target ? 'met' : 'NOT met'})`;
      line += `  ÷ fastest peer (${m.fastestPeer}) = ${c.ratioToFastestPeer.toFixed(2)}${verdict}`;
    }
    if (c.noiseShare !== undefined) line += `  noise ${formatShareRounds(c.noiseShare, c.noiseShareRounds)} of the step`;
    if (c.pairedNoiseShare !== undefined) line += `; in-process ${formatShareRounds(c.pairedNoiseShare, c.pairedNoiseShareRounds)}`;
    out.push(line);
    const prefetch = c.prefetch && c.prefetch.used + c.prefetch.missed > 0 ? `; prefetched draws taken ${c.prefetch.used}, drawn by the op call after all ${c.prefetch.missed}` : '';
    out.push(`  ${''.padEnd(18)} ${c.version}${c.notes.length ? `; ${c.notes.join('; ')}` : ''}${prefetch}`);
  }
  for (const s of m.skipped) out.push(`  ${s.label.padEnd(18)} skipped: ${s.reason}`);
  if (m.check) out.push(...formatCheck(m.check));
  return out;
}

/**
 * `npm run bench -- --peers`: every model of PEER_MODELS in anneal (one child process per tfjs backend
 * that selectBackend can start) and in PyTorch, JAX + optax and TensorFlow/Keras (long-lived Python
 * children from .bench-venv), in interleaved rounds A B C … A B C …, each contestant timing its own steps.
 */
export async function benchPeers(opts: PeerBenchOptions): Promise<PeerBenchResult> {
  const skippedContestants: { label: string; reason: string }[] = [];
  const skip = (list: readonly { label: string; reason: string }[]) => {
    for (const s of list) {
      opts.log(`  ${s.label}: skipped: ${s.reason}`);
      if (!skippedContestants.some((k) => k.label === s.label)) skippedContestants.push(s);
    }
  };
  const models: ModelResult[] = [];
  const pythonSkipped: { label: string; reason: string }[] = [];
  const python = await startPythonPeers(opts, pythonSkipped);
  skip(pythonSkipped);
  try {
    // Fresh anneal contestants for each model: their TensorFlow takes the model's training.tensorflowThreads when it
    // loads. The order stays: with noise, anneal then the peers (the first anneal one writes the batches and the
    // recipe's step for all); then the no-noise twins, in the same order.
    for (const model of PEER_MODELS.filter((m) => !opts.models || opts.models.includes(m.name))) {
      const skipped: { label: string; reason: string }[] = [];
      const anneal: Live[] = [];
      for (const noise of noiseVariants(opts)) anneal.push(...(await startAnnealContestants(opts, skipped, model, noise)));
      skip(skipped);
      const live = noiseVariants(opts).flatMap((noise) => [...anneal, ...python].filter((c) => c.noise === noise));
      try {
        opts.log(`\n${model.name}: setting up ${live.map((c) => c.peer.label).join(', ')}`);
        const result = await benchModel(model, live, opts.rounds ?? 5, opts.log);
        models.push(result);
        opts.log('');
        for (const l of formatModel(result)) opts.log(l);
      } finally {
        for (const c of anneal) await c.peer.close();
      }
    }
  } finally {
    for (const c of python) await c.peer.close();
  }
  return { models, skippedContestants, notYetCovered: [...NOT_YET_COVERED] };
}

/** The closing summary: the issue's targets and whether each anneal backend meets them. */
export function formatTargets(result: PeerBenchResult): string[] {
  const out = ['Targets (issue 14: anneal ÷ fastest peer, same rounds)'];
  for (const m of result.models) {
    if (m.rounds === 0) continue;
    const goal = m.target === undefined ? 'no target' : `≤ ${m.target}×`;
    const annealRows = m.contestants.filter((c) => c.ratioToFastestPeer !== undefined);
    if (annealRows.length === 0) {
      out.push(`  ${m.model.padEnd(8)} ${goal.padEnd(9)}: not measured (${m.skipped.map((s) => `${s.label}: ${s.reason}`).join('; ') || 'no contestants'})`);
      continue;
    }
    for (const c of annealRows) {
      const verdict = m.target === undefined ? '' : c.ratioToFastestPeer! <= m.target ? 'met' : 'NOT met';
      out.push(`  ${m.model.padEnd(8)} ${goal.padEnd(9)}  ${c.label.padEnd(18)} ${c.ratioToFastestPeer!.toFixed(2)}× ${m.fastestPeer ?? ''}  ${verdict}`.trimEnd());
    }
  }
  const shares = result.models.filter((m) => m.contestants.some((c) => c.noiseShare !== undefined));
  if (shares.length) {
    const rounds = Math.max(...shares.map((m) => m.rounds));
    out.push('Noise share (--noise-share: 1 − step without noise ÷ step with it, same rounds; issue 14 target for anneal ≤ 5 %;');
    out.push('  anneal also in-process: a trainer without the plugin in the same process, the two in turns of 4 steps, each turn\'s first untimed).');
    const { confidence } = shareVerdict(Array.from({ length: rounds }, (_, i) => i), NOISE_SHARE_TARGET);
    out.push(`  The median of the rounds, and in brackets a ${(100 * confidence).toFixed(1)} % interval for it from the ${rounds} rounds (order statistics, share-verdict.ts).`);
    out.push('  met: the interval within the target; NOT met: above it; undecided: it straddles the target. Where anneal has in-process pairs,');
    out.push('  the verdict is theirs: its twin is another process, and processes of one step differ by more than 5 % (the eager MLP on');
    out.push('  tensorflow, without noise: 19.9–25.4 ms in 6 processes), which the rounds of one pair of processes cannot show.');
    const verdictOf = (share: number, rounds: readonly number[] | undefined) => shareVerdict(rounds?.length ? rounds : [share], NOISE_SHARE_TARGET).verdict;
    for (const m of shares) {
      for (const c of m.contestants.filter((x) => x.noiseShare !== undefined)) {
        const verdict = c.kind !== 'anneal' ? '' : c.pairedNoiseShare !== undefined ? '(twin: no verdict)' : verdictOf(c.noiseShare!, c.noiseShareRounds);
        const inProcess = c.pairedNoiseShare !== undefined ? `  in-process ${formatShareRounds(c.pairedNoiseShare, c.pairedNoiseShareRounds)} ${verdictOf(c.pairedNoiseShare, c.pairedNoiseShareRounds)}` : '';
        out.push(`  ${m.model.padEnd(8)} ${c.label.padEnd(24)} ${formatShareRounds(c.noiseShare!, c.noiseShareRounds).padStart(24)}  ${verdict}${inProcess}`.trimEnd());
      }
    }
  }
  const checked = result.models.filter((m) => m.check);
  if (checked.length) {
    out.push('Checks (loss, gradient norm and per-parameter gradient norms at anneal\'s initial weights, peer-check.ts; parameters after one noise-free step, update-check.ts)');
    for (const m of checked) {
      const rows = m.check!.rows;
      const bad = rows.filter((r) => !r.ok).map((r) => r.label);
      const worst = rows.reduce((w, r) => Math.max(w, r.relLoss, r.relGradNorm, r.relParam ?? 0), 0);
      const worstUpdate = m.check!.reference.updates ? rows.reduce((w, r) => Math.max(w, ...(r.updates?.length ? r.updates.map((u) => u.rel) : [Infinity])), 0) : undefined;
      out.push(`  ${m.model.padEnd(8)} ${bad.length ? `MISMATCH: ${bad.join(', ')}` : 'ok'} (${rows.length - bad.length}/${rows.length} agree with ${m.check!.reference.label}, worst rel ${worst.toExponential(1)}${worstUpdate !== undefined ? `, update worst rel ${worstUpdate.toExponential(1)}` : ''})` +
        `${m.check!.missing.length ? `; no check from ${m.check!.missing.join(', ')}` : ''}`);
    }
  }
  if (result.notYetCovered.length) out.push(`Not yet covered by peers: ${result.notYetCovered.join(', ')}`);
  return out;
}
