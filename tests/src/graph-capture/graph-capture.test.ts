import * as tf from '@tensorflow/tfjs-core';
import { captureGraph, isAnnealError } from '@anneal/core';
import { tensorflowTests } from '../helpers/on-tensorflow.js';
import { mlpShapes, mlpStep } from './mlp-step.js';

/**
 * Graph capture (core/src/ops/graph-capture): a pure step recorded once on the tensorflow backend and replayed
 * as one TensorFlow session call must give the eager values, on new inputs too, free what it allocates, and
 * refuse what a graph cannot replay. Runs where tensorflow is required (CI: ANNEAL_CONFORMANCE_BACKENDS).
 */
const onTensorflow = tensorflowTests();

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function stepInputs(seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const shapes = mlpShapes(4, 16, 12, 5);
    const params = shapes.map((s, i) => tf.randomNormal(s, 0, 0.3, 'float32', seed * 100 + i));
    const noise = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', seed * 100 + 50 + i));
    const x = tf.randomUniform([8, 12], 0, 1, 'float32', seed);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5).toFloat();
    return [...params, x, labels, tf.scalar(0.05 * seed), ...noise];
  });
}

onTensorflow('an MLP step (forward, autodiff backward, global-norm clip, noise, SGD) replays from its graph with the eager values, on new inputs too', (t) => {
  const step = mlpStep(4, { learningRate: 0.1, maxNorm: 1 });
  const first = stepInputs(1);
  const { outputs, graph } = captureGraph(step, first);
  t.teardown(() => graph.dispose());
  t.true(graph.opCount > 100, `ops recorded: ${graph.opCount}`);
  const replay = graph.run(first);
  t.is(replay.length, outputs.length);
  replay.forEach((r, i) => {
    t.deepEqual(r.shape, outputs[i].shape);
    t.true(maxAbsDiff(r, outputs[i]) <= 1e-6, `output ${i}: |graph − eager| = ${maxAbsDiff(r, outputs[i])}`);
  });

  // New inputs: the graph must compute from them, not from values baked at capture.
  const second = stepInputs(2);
  const eager = tf.tidy(() => step(second));
  const again = graph.run(second);
  const moved = maxAbsDiff(again[again.length - 1], replay[replay.length - 1]);
  t.true(moved > 1e-3, `the loss changes with the inputs (by ${moved})`);
  again.forEach((r, i) => t.true(maxAbsDiff(r, eager[i]) <= 1e-5, `new inputs, output ${i}: |graph − eager| = ${maxAbsDiff(r, eager[i])}`));
  // The clip scale min(1, c/‖g‖) is computed in the graph from each call's gradients.
  const norms = [replay[replay.length - 2].dataSync()[0], again[again.length - 2].dataSync()[0]];
  t.log(`global norms ${norms.map((n) => n.toFixed(3)).join(', ')} (clip at 1)`);
  tf.dispose([...first, ...second, ...outputs, ...replay, ...eager, ...again]);
});

onTensorflow('replaying leaks no tensor: tfjs and TensorFlow handle counts are flat across 20 runs', (t) => {
  const step = mlpStep(4, { learningRate: 0.1, maxNorm: 1 });
  const inputs = stepInputs(3);
  const { outputs, graph } = captureGraph(step, inputs);
  tf.dispose(outputs);
  const binding = (tf.backend() as unknown as { binding: { getNumOfTensors(): number } }).binding;
  tf.dispose(graph.run(inputs));
  const before = { tfjs: tf.memory().numTensors, tf: binding.getNumOfTensors() };
  for (let i = 0; i < 20; i++) tf.dispose(graph.run(inputs));
  t.deepEqual({ tfjs: tf.memory().numTensors, tf: binding.getNumOfTensors() }, before);
  graph.dispose();
  tf.dispose(inputs);
});

onTensorflow('an embedding lookup (tf.gather) and its gradient are captured: tfjs-node reads the indices to the host, anneal\'s GatherV2 kernel does not', (t) => {
  const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const loss = (ids: tf.Tensor) => (v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, ids), tf.tensor2d([[1, 1], [2, 2], [3, 3]])));
  const lookup = ([w, ids]: tf.Tensor[]) => [loss(ids)(w), tf.grad(loss(ids))(w)];
  const ids = tf.tensor1d([2, 0, 2], 'int32');
  const { outputs, graph } = captureGraph(lookup, [table, ids]);
  t.is(outputs[0].dataSync()[0], 5 + 6 + 2 * (1 + 2) + 3 * (5 + 6));
  const other = tf.tensor1d([1, 1, 0], 'int32');
  const [value, grad] = graph.run([table, other]);
  t.is(value.dataSync()[0], 3 + 4 + 2 * (3 + 4) + 3 * (1 + 2), 'the new indices are an input, not a constant');
  t.deepEqual(Array.from(grad.dataSync()), [3, 3, 3, 3, 0, 0]);
  tf.dispose([...outputs, value, grad, table, ids, other]);
  graph.dispose();
});

onTensorflow('capture refuses what a graph cannot replay, naming the fix: a host read, a random op, an outside tensor, a new input shape', (t) => {
  const x = tf.ones([3, 3]);
  const outside = tf.ones([3, 3]);
  const refused = (fn: () => unknown, fragment: string) => {
    const error = t.throws(fn);
    t.true(isAnnealError(error, 'ANNEAL_ERR_GRAPH_CAPTURE'), String(error));
    t.true(error!.message.includes(fragment), error!.message);
  };
  refused(() => captureGraph(([a]) => [tf.mul(a, tf.sum(a).dataSync()[0])], [x]), 'reads a tensor back to JS');
  refused(() => captureGraph(([a]) => [tf.multinomial(tf.reshape(a, [1, 9]) as tf.Tensor2D, 2, 7)], [x]), 'draws random numbers');
  refused(() => captureGraph(([a]) => [tf.add(a, outside)], [x]), 'not among its inputs');
  const { outputs, graph } = captureGraph(([a]) => [tf.mul(a, tf.scalar(2))], [x]);
  refused(() => graph.run([tf.ones([2, 3])]), 'capture again for a new shape');
  t.deepEqual(Array.from(graph.run([tf.fill([3, 3], 4)])[0].dataSync()), Array(9).fill(8), 'the constant 2 is baked in; the input is not');
  graph.dispose();

  // outsideTensors: 'input' — the outside tensor becomes an extra input, passed again on every run.
  const table = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  const withTable = captureGraph(([a]) => [tf.add(a, table)], [x], { outsideTensors: 'input' });
  t.deepEqual(Array.from(withTable.graph.run([tf.fill([3, 3], 10)])[0].dataSync()), [11, 12, 13, 14, 15, 16, 17, 18, 19]);
  table.dispose();
  refused(() => withTable.graph.run([x]), 'disposed since the capture');
  withTable.graph.dispose();
  tf.dispose([x, outside, ...outputs, ...withTable.outputs]);
});

onTensorflow('a late input (a mask made from host values inside the function) is a placeholder: each run takes a new one', (t) => {
  const x = tf.tensor1d([1, 2, 3, 4]);
  const { outputs, graph } = captureGraph(([v], scope) => [tf.sum(tf.mul(v, scope.input(tf.tensor1d([1, 0, 1, 0]))))], [x]);
  t.is(outputs[0].dataSync()[0], 4);
  t.is(graph.lateInputCount, 1);
  const run = (mask: number[]) => tf.tidy(() => graph.run([x], [tf.tensor1d(mask)])[0].dataSync()[0]);
  t.is(run([0, 1, 0, 1]), 6, 'the new mask, not the one of the recording call');
  t.is(run([2, 0, 0, 0]), 2);
  const count = t.throws(() => graph.run([x]));
  t.regex(count!.message, /got 0 late inputs.*captured with 1/);
  const shape = t.throws(() => tf.tidy(() => graph.run([x], [tf.tensor1d([1, 1])])));
  t.regex(shape!.message, /late input 0 is float32\[2\].*captured with float32\[4\]/);
  tf.dispose([x, ...outputs]);
  graph.dispose();
});

onTensorflow('inputs that share one buffer (variables made from clones of one tensor) are refused: the graph could not tell them apart', (t) => {
  const base = tf.tensor1d([1, 2, 3]);
  const a = tf.variable(tf.clone(base));
  const b = tf.variable(tf.clone(base)); // tf.clone shares the data: a and b have one buffer until assigned
  t.teardown(() => tf.dispose([base, a, b]));
  const error = t.throws(() => captureGraph(([x, y]) => [tf.sub(x, y)], [a, b]));
  t.true(isAnnealError(error, 'ANNEAL_ERR_GRAPH_CAPTURE'), String(error));
  t.regex(error!.message, /inputs 0 and 1 share one buffer.*own copy/);
  b.assign(tf.tidy(() => tf.mul(b, 1)));
  const { outputs, graph } = captureGraph(([x, y]) => [tf.sub(x, y)], [a, b]);
  t.teardown(() => graph.dispose());
  tf.dispose(outputs);
  b.assign(tf.tensor1d([0, 0, 1]));
  const [diff] = graph.run([a, b]);
  t.deepEqual(Array.from(diff.dataSync()), [1, 2, 2]);
  diff.dispose();
});
