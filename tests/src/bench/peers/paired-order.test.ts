import test from 'ava';
import { pairedOrder } from './peer-bench.js';

const c = (label: string, noise = true) => ({ live: { peer: { label }, noise } });

test('a round runs each contestant beside its no-noise twin, the twin second in even rounds and first in odd ones', (t) => {
  const ready = [c('anneal/wasm'), c('anneal/tensorflow'), c('pytorch'), c('anneal/wasm/no-noise', false), c('pytorch/no-noise', false), c('keras')];
  const labels = (round: number) => pairedOrder(ready, round).map((x) => x.live.peer.label);
  t.deepEqual(labels(0), ['anneal/wasm', 'anneal/wasm/no-noise', 'anneal/tensorflow', 'pytorch', 'pytorch/no-noise', 'keras']);
  t.deepEqual(labels(1), ['anneal/wasm/no-noise', 'anneal/wasm', 'anneal/tensorflow', 'pytorch/no-noise', 'pytorch', 'keras']);
  t.is(pairedOrder(ready, 2).length, ready.length, 'every contestant runs once a round');
  // a twin whose contestant was dropped (it failed a round) still runs
  t.deepEqual(pairedOrder([c('jax/no-noise', false)], 0).map((x) => x.live.peer.label), ['jax/no-noise']);
});
