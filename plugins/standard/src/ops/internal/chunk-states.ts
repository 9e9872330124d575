import { LANES } from './lane-normal-stream.js';
import { applyJump, jumpMatrix, type JumpMatrix } from './xoshiro-jump.js';

const chunkJumps = new Map<number, JumpMatrix>(); // chunk size → its steps of xoshiro128**: from one chunk's lane states to the next's

/**
 * The lane states of every chunk of a draw cut into chunks of `chunkGroups` groups (chunked-fill.ts): chunk 0's
 * are the seeds `lanes` (16 words, word j of lane k at 4j + k), chunk c + 1's are chunk c's jumped `chunkGroups`
 * steps ahead (xoshiro-jump.ts). Written to out[at + 16c …], in the seeds' layout.
 */
export function writeChunkStates(lanes: Int32Array, chunks: number, chunkGroups: number, out: Int32Array, at: number): void {
  out.set(lanes.subarray(0, 16), at);
  if (chunks <= 1) return;
  let jump = chunkJumps.get(chunkGroups);
  if (!jump) chunkJumps.set(chunkGroups, (jump = jumpMatrix(chunkGroups)));
  const lane = new Int32Array(4);
  const jumped = new Int32Array(4);
  for (let c = 1; c < chunks; c++) {
    const from = at + 16 * (c - 1);
    for (let k = 0; k < LANES; k++) {
      for (let j = 0; j < 4; j++) lane[j] = out[from + 4 * j + k];
      applyJump(jump, lane, jumped);
      for (let j = 0; j < 4; j++) out[from + 16 + 4 * j + k] = jumped[j];
    }
  }
}
