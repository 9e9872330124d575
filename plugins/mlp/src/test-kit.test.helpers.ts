import { Rng, type ForwardContext, type Initializer, type InitializerSpec, type ModelBuildContext } from '@anneal/core';
import { buildMlp, type MlpConfigInput } from './mlp.js';

// Shared by the mlp tests; not part of the published package (its "files" exclude dist test files).
// ---------------------------------------------------------------------------------------------
// Local test initializers (the real ones live in plugins/standard).

export function normalInit(std: number): Initializer {
  return {
    name: 'test-normal',
    stdFor: () => std,
    sample: (shape, rng) => rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std),
  };
}

export const zeroInit: Initializer = {
  name: 'test-zero',
  stdFor: () => 0,
  sample: (shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)),
};

export function resolveTestInit(spec: InitializerSpec): Initializer {
  const name = typeof spec === 'string' ? spec : spec.name;
  if (name === 'zero') return zeroInit;
  const std = typeof spec === 'string' ? 0.1 : ((spec.config?.std as number | undefined) ?? 0.1);
  return normalInit(std);
}

export const MNIST_INFO = { inputSize: 784, numClasses: 10 };

export function buildCtx(seed: number, info: Record<string, unknown> = MNIST_INFO): ModelBuildContext & { specs: InitializerSpec[] } {
  const specs: InitializerSpec[] = [];
  return {
    dataset: info,
    rng: new Rng(seed),
    initializer: (spec) => {
      specs.push(spec);
      return resolveTestInit(spec);
    },
    specs,
  };
}

export function forwardCtx(training: boolean, visits: string[] = []): ForwardContext {
  return {
    training,
    step: 0,
    phase: 'main',
    phaseOptions: {}, curriculum: {},
    site: (name, x) => {
      visits.push(name);
      return x;
    },
  };
}

export function build(config: MlpConfigInput = {}, seed = 1, info: Record<string, unknown> = MNIST_INFO) {
  return buildMlp(config, buildCtx(seed, info));
}
