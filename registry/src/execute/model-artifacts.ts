import { serializeWeights, type ExecutionPlan, type RunTracker } from '@anneal/core';

/** Writes model/weights.bin, model/weights.json and model/model-card.md for a finished run. */
export async function writeModelArtifacts(tracker: RunTracker, plan: ExecutionPlan, final: Readonly<Record<string, number>>, steps: number): Promise<void> {
  const { bin, manifest } = serializeWeights(plan.model.instance.params);
  await tracker.logArtifact('model/weights.bin', bin);
  await tracker.logArtifact('model/weights.json', `${JSON.stringify({ family: plan.model.family, familyVersion: plan.model.version, config: plan.model.config, ...manifest }, null, 2)}\n`);
  const describe = plan.model.instance.describe();
  const metrics = Object.entries(final)
    .map(([k, v]) => `| ${k} | ${Number.isFinite(v) ? v.toFixed(4) : String(v)} |`)
    .join('\n');
  const card = `# Model card: ${plan.runName}

- Model family: \`${plan.model.family}\`@${plan.model.version} — ${JSON.stringify(describe)}
- Dataset: \`${plan.dataset.name}\` ${JSON.stringify(plan.dataset.config)}
- Recipe: \`${plan.recipe.name}\`@${plan.recipe.version}${plan.variant ? `, variant \`${plan.variant}\`` : ''}; seed ${plan.seed}; backend ${plan.backend}
- Optimizer: \`${plan.stages.update.plugin}\` ${JSON.stringify(plan.stages.update.config)}
- Gradient pipeline: ${(['pre-clip', 'clip', 'post-clip', 'pre-update'] as const).map((h) => `${h}: ${plan.stages[h].map((e) => e.name).join(', ') || '—'}`).join('; ')}
- Trained for ${steps} updates.
- Weights: \`weights.bin\` (float32, little-endian), layout in \`weights.json\`.

| metric | value |
|---|---|
${metrics}

Reproduces (part of) Neelakantan et al., "Adding Gradient Noise Improves Learning for Very Deep Networks" (arXiv 1511.06807).
`;
  await tracker.logArtifact('model/model-card.md', card);
}
