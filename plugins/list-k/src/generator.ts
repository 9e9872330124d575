import { AnnealError, Rng, deriveSeed } from '@anneal/core';

/**
 * ListK (paper-spec §4.2; the NRAM task "k-th element of a linked list"): a memory of M cells, each holding
 * an integer in {0..M−1}.
 *   cell 0   pointer to the head node          cell 1   k (0 = the head)
 *   cell 2   the output cell (0 before; the answer is the value of node k)
 *   cells 3…  n nodes of two adjacent cells (pointer to the next node, value), each at a random slot
 *            3 + 2·s, s ∈ {0..⌊(M−3)/2⌋−1}; the last node points to 0; unused cells hold 0.
 * Values are uniform in {0..M−1}; k is uniform in {0..n−1} unless fixed.
 */
export const OUTPUT_CELL = 2;
export const FIRST_NODE_CELL = 3;

export interface ListKNode {
  /** Address of the node's first cell (its next pointer); the value is at address + 1. */
  readonly address: number;
  readonly next: number;
  readonly value: number;
}

export interface ListKExample {
  /** The input memory (cell 2 = 0). */
  readonly memory: Int32Array;
  readonly nodes: readonly ListKNode[];
  readonly k: number;
  /** The value to be written to cell 2. */
  readonly answer: number;
}

/** Node slots a memory of M cells has room for. */
export function maxListLength(memorySize: number): number {
  return Math.max(0, Math.floor((memorySize - FIRST_NODE_CELL) / 2));
}

/** Smallest memory holding a list of n nodes. */
export function minMemorySize(length: number): number {
  return FIRST_NODE_CELL + 2 * length;
}

/** Lays out a list: node j at slot slots[j] with values[j]; a pure, hand-checkable function. */
export function layoutListK(memorySize: number, slots: readonly number[], values: readonly number[], k: number): ListKExample {
  const n = slots.length;
  if (n < 1 || n > maxListLength(memorySize)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `length = ${n}: a memory of ${memorySize} cells holds 1..${maxListLength(memorySize)} nodes; set memorySize ≥ ${minMemorySize(n)}.`);
  if (!(k >= 0 && k < n)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `k = ${k}: must be in 0..${n - 1} for a list of ${n} nodes.`);
  const memory = new Int32Array(memorySize);
  const address = slots.map((s) => FIRST_NODE_CELL + 2 * s);
  const nodes: ListKNode[] = address.map((a, j) => ({ address: a, next: j + 1 < n ? address[j + 1] : 0, value: values[j] }));
  memory[0] = address[0];
  memory[1] = k;
  for (const node of nodes) {
    memory[node.address] = node.next;
    memory[node.address + 1] = node.value;
  }
  return { memory, nodes, k, answer: values[k] };
}

/** Example `index` of a split with a list of `length` nodes: a pure function of (seed, split, index, length, M, k). */
export function generateListK(seed: number, split: string, index: number, length: number, memorySize: number, fixedK?: number): ListKExample {
  const rng = new Rng(deriveSeed(seed, `list-k/${split}/${index}/${length}/${memorySize}`));
  const free = Array.from({ length: maxListLength(memorySize) }, (_, s) => s);
  const slots: number[] = [];
  for (let j = 0; j < length && free.length > 0; j++) slots.push(free.splice(rng.nextInt(free.length), 1)[0]);
  if (slots.length < length) slots.push(...new Array<number>(length - slots.length).fill(-1)); // layoutListK reports the error
  const values = slots.map(() => rng.nextInt(memorySize));
  const k = fixedK ?? rng.nextInt(length);
  return layoutListK(memorySize, slots, values, k);
}

/** A readable form: the memory as a row of cells, the list as a chain, and the answer. */
export function describeListK(example: ListKExample): Record<string, unknown> {
  const cells = Array.from(example.memory, (v, i) => `${i}:${v}`).join(' ');
  const chain = example.nodes.map((n, j) => `[${j}] @${n.address} value ${n.value}`).join(' → ');
  return { memory: cells, list: `head @${example.memory[0]}: ${chain} → 0`, k: example.k, answer: example.answer, length: example.nodes.length };
}
