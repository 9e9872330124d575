import { definePlugin, defineSchema } from '@anneal/core';
import { NRAM_METRICS, NramModel, readNramInfo } from './nram.js';

export const nramConfigSchema = defineSchema({
  registers: { type: 'number', integer: true, min: 1, max: 32, default: 4, description: 'R: registers (each a distribution over 0..M−1, initially 0)' },
  timesteps: { type: 'number', integer: true, min: 1, max: 200, default: 10, description: 'T: timesteps of the circuit (the halting distribution spans 1..T)' },
  hidden: { type: 'number', integer: true, min: 1, default: 50, description: 'LSTM controller units' },
  initStd: { type: 'number', min: 0, default: 0.1, description: 'std of the N(0, std²) initialisation of the controller and output kernels (biases 0, forget gate 1)' },
  logFloor: { type: 'number', min: 0, exclusiveMin: true, max: 1, default: 1e-20, description: 'clamp of the log argument in the loss: log(max(p, logFloor))' },
});

export const nramModel = definePlugin.modelFamily({
  manifest: {
    name: 'nram',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: nramConfigSchema,
    card: {
      summary: 'Neural Random-Access Machine: R registers and an M×M memory of distributions, 14 fixed modules applied fuzzily, an LSTM controller that sees only P(r_j = 0), halting over T timesteps.',
      paper: 'Neelakantan et al. 2015, §4.4 / Table 4; Kurach et al. 2016',
      details:
        'Modules in circuit order: READ, ZERO, ONE, TWO, INC, ADD, SUB, DEC, LESS-THAN, LESS-OR-EQUAL-THAN, EQUALITY-TEST, MIN, MAX, WRITE. ' +
        'Params controller/kernel [R+H, 4H], controller/bias, output/kernel [H, args + R(R+14) + 1], output/bias. Forward site controller (h each timestep). ' +
        'Loss: expected NLL of the output cell over the halting distribution (clamped log). Metrics error (argmax of the halting-weighted output cell), solved (all right), mean_loss.',
    },
  },
  metrics: NRAM_METRICS,
  create(config, ctx) {
    return new NramModel(
      { registers: config.registers, timesteps: config.timesteps, hidden: config.hidden, initStd: config.initStd, logFloor: config.logFloor },
      readNramInfo(ctx.dataset),
      ctx.rng,
    );
  },
});
