/**
 * tfjs-core alone registers no gradient functions (tf.variableGrads then fails with "gradient function
 * not found"). The @tensorflow/tfjs union package registers all of core's gradients on the one shared
 * tfjs-core engine as a side effect of loading; the trainer needs that before its first step.
 */
import '@tensorflow/tfjs';
// Then anneal's backend-chosen activation gradients replace tfjs's for Relu, Sigmoid and Tanh (same values).
import '../ops/register-activation-grads.js';
