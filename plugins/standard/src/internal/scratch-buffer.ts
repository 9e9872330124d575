/**
 * A reusable Float32Array that grows on demand. It is scratch memory owned by one transform instance
 * (never part of its checkpointed state): its contents have no meaning across calls.
 */
export class ScratchBuffer {
  private buffer = new Float32Array(0);

  /** A view of exactly `size` floats (contents undefined). */
  view(size: number): Float32Array {
    if (this.buffer.length < size) this.buffer = new Float32Array(size);
    return size === this.buffer.length ? this.buffer : this.buffer.subarray(0, size);
  }
}
