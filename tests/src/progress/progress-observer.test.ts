import test from 'ava';
import { createProgressObserver } from '@anneal/registry';
import { CLASSIFICATION_METRICS, type StepRecord } from '@anneal/core';

function fakeStream(tty: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY: tty, columns: 120, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream };
}

const step = (n: number): StepRecord => ({ step: n, epoch: 0, phase: 'main', loss: 1 / (n + 1), learningRate: 0.1, gradNormPreClip: 1, gradNormPostClip: 1, noiseStd: null, stepTimeMs: 1, metrics: {} });

test('on a TTY: a redrawn bar with step, loss and ETA; no plain lines', async (t) => {
  const { chunks, stream } = fakeStream(true);
  const lines: string[] = [];
  const o = createProgressObserver({ label: '[run]', totalSteps: 10, stream, log: (l) => lines.push(l), metrics: () => CLASSIFICATION_METRICS });
  await o.on['run:start']!({ runId: 'r', recipe: 'x', seed: 1, backend: 'cpu', resumedFromStep: 0, params: {}, planText: '' });
  await o.on['step:end']!(step(0));
  await o.on['eval:end']!({ epoch: 0, step: 10, split: 'test', metrics: { accuracy: 0.5, error: 0.5, mean_loss: 1 }, count: 100 });
  await o.on['run:end']!({ runId: 'r', status: 'FINISHED', steps: 10, final: {} });
  const drawn = chunks.join('');
  t.regex(drawn, /\r\x1b\[2K\[run\] [█░]+ +\d+% step \d+\/10 loss [\d.]+/);
  t.regex(drawn, /test accuracy 50\.00%/);
  t.regex(drawn, /ETA/);
  t.deepEqual(lines, []);
});

test('not a TTY: plain lines per epoch and evaluation, no control characters', async (t) => {
  const { chunks, stream } = fakeStream(false);
  const lines: string[] = [];
  const o = createProgressObserver({ label: '[run]', totalSteps: 10, stream, log: (l) => lines.push(l), metrics: () => CLASSIFICATION_METRICS });
  await o.on['step:end']!(step(0));
  await o.on['epoch:end']!({ epoch: 0, phase: 'main', step: 5, meanLoss: 0.25 });
  await o.on['eval:end']!({ epoch: 0, step: 5, split: 'test', metrics: { accuracy: 0.9, error: 0.1, mean_loss: 0.3 }, count: 100 });
  t.deepEqual(chunks, []);
  t.is(lines.length, 2);
  t.regex(lines[0], /^\[run\] epoch 1 step 5\/10 loss 0\.2500 \(\d+s\)$/);
  t.is(lines[1], '[run] eval test: accuracy 90.00% error 10.00% mean_loss 0.3000 (n=100)');
});
