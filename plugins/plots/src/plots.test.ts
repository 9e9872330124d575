import test from 'ava';
import type { MetricPoint } from '@anneal/core';
import { bandAcrossRuns, renderLineBand, renderTrainingCurves, thin } from './index.js';

function curve(n: number): MetricPoint[] {
  const pts: MetricPoint[] = [];
  for (let s = 0; s < n; s++) {
    pts.push({ key: 'train/loss', value: 2.3 * Math.exp(-s / 300) + 0.01, step: s, timestamp: 1 });
    if (s % 100 === 99) pts.push({ key: 'test/accuracy', value: 1 - Math.exp(-s / 400), step: s, timestamp: 1 });
  }
  pts.push({ key: 'train/loss', value: Number.NaN, step: n, timestamp: 1 });
  return pts;
}

test('renderTrainingCurves renders loss and accuracy panels as SVG', async (t) => {
  const svg = await renderTrainingCurves(curve(3000), { title: 'mlp run' });
  t.true(svg.startsWith('<svg'));
  t.true(svg.includes('</svg>'));
  t.true(svg.includes('mlp run'));
  t.true(svg.includes('train/loss'));
  t.true(svg.includes('test/accuracy'));
  t.true(svg.includes('loss (log scale)'));
});

test('renderTrainingCurves with no usable metrics still gives an SVG', async (t) => {
  const svg = await renderTrainingCurves([{ key: 'lr', value: 0.1, step: 0, timestamp: 0 }]);
  t.true(svg.includes('no finite loss or accuracy metrics'));
});

test('thin keeps first and last and caps the length', (t) => {
  const rows = Array.from({ length: 10_001 }, (_, i) => i);
  const out = thin(rows, 100);
  t.is(out.length, 100);
  t.is(out[0], 0);
  t.is(out[99], 10_000);
});

test('bandAcrossRuns + renderLineBand: mean with min–max band per group', async (t) => {
  const mk = (group: string, offset: number) => ({ group, points: [0, 1, 2].map((s) => ({ key: 'test/error', value: 0.5 - s * 0.1 + offset, step: s, timestamp: 0 })) });
  const bands = bandAcrossRuns([mk('noise', 0), mk('noise', 0.02), mk('no noise', 0.1), mk('no noise', 0.14)], 'test/error');
  t.deepEqual(bands.map((b) => b.label), ['noise', 'no noise']);
  const first = bands[1].points[0];
  t.is(first.n, 2);
  t.true(Math.abs(first.mean - 0.62) < 1e-12);
  t.true(Math.abs(first.min - 0.6) < 1e-12);
  t.true(Math.abs(first.max - 0.64) < 1e-12);
  const svg = await renderLineBand(bands, { title: 'noise vs no noise', yTitle: 'test error' });
  t.true(svg.startsWith('<svg'));
  t.true(svg.includes('noise vs no noise'));
  t.true(svg.includes('no noise'));
});
