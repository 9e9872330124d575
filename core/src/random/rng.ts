import { kn, wn, zigguratTail } from './ziggurat-tables.js';
import { splitmix32 } from './seed-derivation.js';

/** Serialized state of an Rng: four uint32 words. Goes into checkpoints. */
export interface RngState {
  readonly kind: 'xoshiro128**';
  readonly s: readonly [number, number, number, number];
}

/**
 * A small, fast, seedable PRNG (xoshiro128**) with uniform, integer and normal draws.
 * Normal draws use the ziggurat method (about 3× faster than Box–Muller in JS); its variance
 * is checked by `rng.test.ts`. The whole state is four words, so a resumed run continues the
 * exact stream.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The stream's next 32-bit draw, for the ziggurat's rejection step. */
  private readonly draw = (): number => this.nextInt32();

  constructor(seed: number) {
    let x = seed >>> 0;
    x = splitmix32(x);
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { kind: 'xoshiro128**', s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  setState(state: RngState): void {
    if (state.kind !== 'xoshiro128**' || state.s.length !== 4) throw new Error(`Not an Rng state: ${JSON.stringify(state)}`);
    [this.s0, this.s1, this.s2, this.s3] = state.s.map((v) => v >>> 0) as [number, number, number, number];
  }

  toCheckpoint(): RngState {
    return this.getState();
  }

  /** Next 32 random bits as a signed int32. */
  nextInt32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result | 0;
  }

  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number {
    return (this.nextInt32() >>> 0) / 4294967296;
  }

  /** Uniform in (0, 1]: safe for log. */
  private nextOpenFloat(): number {
    return ((this.nextInt32() >>> 0) + 1) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    if (!(n > 0)) throw new Error(`nextInt needs n > 0, got ${n}`);
    return Math.floor(this.nextFloat() * n);
  }

  /** One standard normal draw (ziggurat). */
  nextNormal(): number {
    const hz = this.nextInt32();
    const iz = hz & 127;
    if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
    return this.normalTail(hz, iz);
  }

  private normalTail(hz: number, iz: number): number {
    return zigguratTail(hz, iz, this.draw);
  }

  /**
   * Fill `out` with N(mean, std²) draws: the same values as calling nextNormal() out.length times, but
   * with the four state words in locals and the ziggurat's fast path (≈97% of draws) inlined, which is
   * ≈2–3× faster (initializers draw 88k values for the paper's MLP). The rare slow path runs on the
   * fields.
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    let s0 = this.s0 | 0;
    let s1 = this.s1 | 0;
    let s2 = this.s2 | 0;
    let s3 = this.s3 | 0;
    const n = out.length;
    let i = 0;
    while (i < n) {
      // xoshiro128** step, as nextInt32
      const m = Math.imul(s1, 5);
      const hz = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const iz = hz & 127;
      let z: number;
      if (Math.abs(hz) < kn[iz]) {
        z = hz * wn[iz];
      } else {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
        z = this.normalTail(hz, iz);
        s0 = this.s0 | 0;
        s1 = this.s1 | 0;
        s2 = this.s2 | 0;
        s3 = this.s3 | 0;
      }
      out[i] = mean + std * z;
      i++;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  /** Fill `out` with uniform [0,1) draws. */
  fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (this.nextInt32() >>> 0) / 4294967296;
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
