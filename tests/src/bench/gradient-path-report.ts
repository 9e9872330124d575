import type { PluginCatalog } from '@anneal/registry';
import { benchMemn2nGradientPaths, benchMlpGradientPaths, type GradientPathResult } from './gradient-path-bench.js';
import { ratioValueLine } from './measure.js';

function lines(label: string, r: GradientPathResult): string {
  return (
    `  ${label.padEnd(36)}  hand-written ${r.manualMs.toFixed(2)} ms   autodiff ${r.autodiffMs.toFixed(2)} ms\n` +
    `  ${ratioValueLine(`  autodiff / hand-written (${r.rounds} rounds)`, r.autodiffOverManual)}\n`
  );
}

/**
 * `npm run bench` section "Gradient paths": each hand-written backward pass against tfjs autodiff on the
 * same model (config gradient 'manual' vs 'autodiff'). A hand-written path stays only where it wins clearly.
 */
export async function benchGradientPaths(catalog: PluginCatalog, backend: string, write: (text: string) => void): Promise<Record<string, GradientPathResult>> {
  write('Gradient paths: hand-written backward pass vs tfjs autodiff, ms/step (loss + gradients + SGD, median of interleaved rounds)\n');
  const mlp = await benchMlpGradientPaths(catalog, backend);
  write(lines('MLP 20×50 ReLU, MNIST, batch 128', mlp));
  const memn2n1 = await benchMemn2nGradientPaths(catalog, backend, 1);
  write(lines('MemN2N bAbI task 1, batch 32', memn2n1));
  // Autodiff's cost grows with the memory (task 3: 50 sentences); on the cpu backend task 1 is already
  // ≈ 100× slower (≈ 1 s/step), so task 3 is measured only when task 1 is within 20×.
  if (memn2n1.autodiffOverManual > 20) {
    write(`  MemN2N bAbI task 3: skipped (autodiff is already ${memn2n1.autodiffOverManual.toFixed(0)}× slower on task 1)\n\n`);
    return { mlp, memn2nTask1: memn2n1 };
  }
  const memn2n3 = await benchMemn2nGradientPaths(catalog, backend, 3);
  write(lines('MemN2N bAbI task 3, batch 32', memn2n3));
  write('\n');
  return { mlp, memn2nTask1: memn2n1, memn2nTask3: memn2n3 };
}
