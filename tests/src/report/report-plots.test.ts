import test from 'ava';
import { LocalRunSource, bandRows, buildReport, collectRuns, perUpdateLoss, renderReportPlots, type ReportRun } from '@anneal/registry';
import { curve, tempStore, writeRun } from './fake-store.js';

const LR = 'optimizer.config.learningRate';

/** Number of <path> items inside every mark group of this class (vega's SVG: one path per datum). */
function marksIn(svg: string, cls: string): number {
  let n = 0;
  for (let i = svg.indexOf(`class="${cls}`); i >= 0; i = svg.indexOf(`class="${cls}`, i + 1)) {
    const end = svg.indexOf('</g>', i);
    n += (svg.slice(i, end).match(/<path/g) ?? []).length;
  }
  return n;
}

test('bandRows: mean / min / max across seeds per variant and setting; dense curves binned', (t) => {
  const run = (variant: string, seed: number): ReportRun => ({ runId: `${variant}${seed}`, status: 'FINISHED', startTime: 0, recipe: 'x', variant, setting: { [LR]: 0.1 }, seed, quick: false, final: {}, budget: {} });
  const sparse = bandRows(
    [
      { run: run('noise', 1), curve: new Map([[10, 0.5], [20, 0.7]]) },
      { run: run('noise', 2), curve: new Map([[10, 0.3], [20, 0.9]]) },
      { run: run('no-noise', 1), curve: new Map([[10, 0.1]]) },
    ],
    { binned: false },
  );
  t.deepEqual(sparse, [
    { variant: 'noise', setting: 'learningRate=0.1', x: 10, mean: 0.4, min: 0.3, max: 0.5, n: 2 },
    { variant: 'noise', setting: 'learningRate=0.1', x: 20, mean: 0.8, min: 0.7, max: 0.9, n: 2 },
    { variant: 'no-noise', setting: 'learningRate=0.1', x: 10, mean: 0.1, min: 0.1, max: 0.1, n: 1 },
  ]);
  // 1000 steps into ≤ 100 bins → width 16 (a power of two); bin 0 averages steps 0..15.
  const dense = new Map(Array.from({ length: 1000 }, (_, s) => [s, s] as [number, number]));
  const rows = bandRows([{ run: run('noise', 1), curve: dense }], { maxBins: 100 });
  t.is(rows.length, Math.ceil(1000 / 16));
  t.deepEqual(rows[0], { variant: 'noise', setting: 'learningRate=0.1', x: 8, mean: 7.5, min: 7.5, max: 7.5, n: 1 });
});

test('report plots: curves (loss + accuracy bands per setting) and the final-accuracy distribution are real, non-empty SVG', async (t) => {
  const store = tempStore(t);
  for (const [variant, acc] of [['no-noise', 0.6], ['noise', 0.9]] as const) {
    for (const lr of [0.1, 0.01]) {
      for (const seed of [1, 2, 3]) {
        const a = acc - (lr === 0.01 ? 0.3 : 0) + seed * 0.01;
        await writeRun(store, { recipe: 'mlp-table1-exp3', quick: true, trialId: `${variant}-${lr}-${seed}`, variant, setting: { [LR]: lr }, seed, status: 'FINISHED', final: { 'test/accuracy': a }, steps: 600, metrics: curve(600, a, variant === 'noise' ? 0 : 0.2) });
      }
    }
  }
  const source = new LocalRunSource(store);
  const report = buildReport(await collectRuns(source, 'mlp-table1-exp3', { quick: true, recipeFacts: (n) => (n === 'mlp-table1-exp3' ? { name: n } : undefined) }));
  const plots = await renderReportPlots(report, source);
  t.deepEqual(plots.map((p) => p.name), ['curves.svg', 'final-test-accuracy.svg']);
  const [curves, dist] = plots.map((p) => p.svg);
  for (const svg of [curves, dist]) {
    t.true(svg.startsWith('<svg'), svg.slice(0, 80));
    t.true(svg.trimEnd().endsWith('</svg>'));
    t.true(svg.length > 5000, `svg is ${svg.length} chars`);
    t.regex(svg, />no-noise</);
    t.regex(svg, />noise</);
    t.regex(svg, />learningRate=0\.1</);
    t.regex(svg, />learningRate=0\.01</);
  }
  // 2 variants × 2 settings: a band (area) and a mean line for each, in both panels.
  const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;
  t.true(count(curves, /class="mark-area role-mark/g) >= 4, 'band layers');
  t.true(count(curves, /class="mark-line role-mark/g) >= 4, 'line layers');
  const areaPaths = [...curves.matchAll(/<path[^>]*d="M[^"]{200,}"/g)].length;
  t.true(areaPaths >= 8, `${areaPaths} long paths (4 groups × loss and accuracy)`);
  t.regex(curves, /training loss \(train\/loss\)/);
  t.regex(curves, /test\/accuracy \(percent\)/);
  t.regex(curves, />step</);
  // Distribution: a box per variant and setting, and one dot per run (12).
  t.true(count(dist, /class="mark-rect role-mark/g) >= 1, 'box marks');
  t.is(marksIn(dist, 'mark-symbol role-mark'), 12, 'one dot per run');
  t.regex(dist, /final test\/accuracy \(%\)/);
});

test('perUpdateLoss drops the train-split evaluation logged under train/loss after the last update', (t) => {
  const curve = new Map([[0, 2.3], [1, 2.1], [2, 1.9], [3, 0.01]]);
  t.deepEqual([...perUpdateLoss(curve, 3).entries()], [[0, 2.3], [1, 2.1], [2, 1.9]]);
  t.deepEqual([...perUpdateLoss(curve, undefined).entries()], [...curve.entries()]);
});
