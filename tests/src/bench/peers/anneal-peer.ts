import 'reflect-metadata';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import type { ExecutionPlan } from '@anneal/core';
import { bootAnneal, buildPlan, selectBackend } from '@anneal/registry';
import { trainerLoop } from '../measure.js';
import { initCheck, type InitCheck } from './peer-check.js';
import { exportBatches, peerModel } from './peer-models.js';

/**
 * anneal as a contestant of `npm run bench -- --peers`: one child process per tfjs backend
 * (`node anneal-peer.js <backend>`), speaking the peers' line protocol (tests/peers/peer_protocol.py):
 * one JSON request per stdin line, one reply per stdout line prefixed with "@@peer ".
 *   { op: 'setup', model, exportDir? } → builds the plan (and writes the batches for the peers); for checkInit
 *                                        models replies { check: { loss, gradNorm } } of batch 0 at the initial
 *                                        weights (peer-check.ts) and writes those weights with the batches
 *   { op: 'run', model }               → the real trainer on that plan (trainerLoop): { ms: [...] }
 *   { op: 'quit' }
 */
const reply = (msg: Record<string, unknown>) => process.stdout.write(`@@peer ${JSON.stringify(msg)}\n`);

async function main(): Promise<void> {
  const requested = process.argv[2] ?? 'wasm';
  let backendName: string;
  try {
    const backend = await selectBackend(requested);
    backendName = backend.name;
  } catch (error) {
    reply({ ok: false, error: (error as Error).message });
    return;
  }
  const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  reply({ ok: true, name: `anneal/${backendName}`, version: `tfjs ${tf.version_core} '${tf.getBackend()}', node ${process.version}` });
  const plans = new Map<string, ExecutionPlan>();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { op: string; model?: string; exportDir?: string };
    try {
      if (req.op === 'quit') break;
      const model = peerModel(String(req.model));
      if (req.op === 'setup') {
        const why = model.unavailable?.();
        if (why) {
          reply({ ok: false, error: why });
          continue;
        }
        const plan = await buildPlan(booted.plugins, { recipe: model.recipe(), seed: 1, runName: `bench-peers-${model.name}`, backend: backendName });
        plans.set(model.name, plan);
        let check: InitCheck | undefined;
        if (model.checkInit) {
          const batch = model.batchAt(plan, 0);
          check = initCheck(plan, batch);
          tf.dispose(Object.values(batch));
        }
        if (req.exportDir) exportBatches(model, plan, req.exportDir, check);
        reply({ ok: true, ...(check ? { check } : {}) });
      } else if (req.op === 'run') {
        const plan = plans.get(model.name);
        if (!plan) throw new Error(`model '${model.name}' is not set up`);
        reply({ ok: true, ms: await trainerLoop(plan, model.warmup) });
      } else throw new Error(`unknown op '${req.op}'`);
    } catch (error) {
      reply({ ok: false, error: (error as Error).stack ?? String(error) });
    }
  }
  for (const p of plans.values()) p.model.instance.dispose();
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
