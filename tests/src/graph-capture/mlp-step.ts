import * as tf from '@tensorflow/tfjs-core';

/** Weight and bias shapes of an MLP with `layers` hidden ReLU layers of `width` units. */
export function mlpShapes(layers: number, width: number, inputs: number, classes: number): number[][] {
  const shapes: number[][] = [];
  let fanIn = inputs;
  for (let l = 0; l < layers; l++) {
    shapes.push([fanIn, width], [width]);
    fanIn = width;
  }
  shapes.push([fanIn, classes], [classes]);
  return shapes;
}

/**
 * One training step of the paper's MLP as a pure function, the way a captured graph needs it:
 * inputs [...params, x, labels (one-hot), σ, ...noise] → [...new params, global norm, loss], with
 *   g ← clip(∇L, maxNorm) (global norm),   g ← g + σ·ε,   θ ← θ − lr·g.
 * The noise ε and σ come in as inputs (drawn on the host, as the noise plugin draws them).
 */
export function mlpStep(layers: number, o: { learningRate: number; maxNorm: number }): (inputs: tf.Tensor[]) => tf.Tensor[] {
  const count = 2 * (layers + 1);
  return (inputs) => {
    const params = inputs.slice(0, count);
    const [x, labels, sigma] = inputs.slice(count, count + 3);
    const noise = inputs.slice(count + 3);
    const { value: loss, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => {
      let h: tf.Tensor = x;
      for (let l = 0; l <= layers; l++) {
        h = tf.add(tf.matMul(h, p[2 * l]), p[2 * l + 1]);
        if (l < layers) h = tf.relu(h);
      }
      return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(h)), -1))) as tf.Scalar;
    })(params);
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(o.maxNorm, tf.maximum(norm, 1e-12)));
    const next = params.map((p, i) => tf.sub(p, tf.mul(o.learningRate, tf.add(tf.mul(grads[i], scale), tf.mul(noise[i], sigma)))));
    return [...next, norm, loss];
  };
}
