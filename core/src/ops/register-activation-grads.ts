import * as tf from '@tensorflow/tfjs-core';
import { reluGradFromOutput, sigmoidGradFromOutput, tanhGradFromOutput } from './activation-grads.js';

/**
 * Replaces the gradients tfjs registers for Relu, Sigmoid and Tanh with the backend-chosen forms of
 * activation-grads.ts (same values; one kernel on tensorflow, tfjs's own formula elsewhere). Imported after
 * '@tensorflow/tfjs' has registered its gradients (trainer/register-gradients.ts), so these win.
 */
tf.registerGradient({
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => reluGradFromOutput(dy as tf.Tensor, saved[0]) }),
});
tf.registerGradient({
  kernelName: 'Sigmoid',
  outputsToSave: [true],
  gradFunc: (dy, saved) => ({ x: () => sigmoidGradFromOutput(dy as tf.Tensor, saved[0]) }),
});
tf.registerGradient({
  kernelName: 'Tanh',
  outputsToSave: [true],
  gradFunc: (dy, saved) => ({ x: () => tanhGradFromOutput(dy as tf.Tensor, saved[0]) }),
});
