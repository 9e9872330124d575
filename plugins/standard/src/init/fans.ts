/**
 * Fan-in and fan-out of a weight shape. Dense kernels are [fanIn, fanOut]; a vector of n entries has
 * fanIn = fanOut = n; a scalar has 1; for rank > 2 the leading dims form the receptive field (Keras
 * convention: fanIn = field·shape[-2], fanOut = field·shape[-1]).
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let field = 1;
  for (let i = 0; i < shape.length - 2; i++) field *= shape[i];
  return { fanIn: field * shape[shape.length - 2], fanOut: field * shape[shape.length - 1] };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
