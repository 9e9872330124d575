/**
 * One run seed, many independent streams: each consumer (a plugin, the data order, the model init)
 * derives its own 32-bit seed from (run seed, stream name) with FNV-1a + a splitmix32 finaliser.
 */
export function hashString32(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of stream `name` under `runSeed`. Stable across versions: checkpoints depend on it. */
export function deriveSeed(runSeed: number, name: string): number {
  return splitmix32(hashString32(name, splitmix32(runSeed >>> 0)) ^ (Math.floor(runSeed / 2 ** 32) >>> 0));
}
