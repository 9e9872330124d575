import { zigguratTables } from '@anneal/core/random';

/**
 * Marsaglia–Tsang (2000) ziggurat tables for the standard normal (128 layers): core's tables (the ones
 * `Rng.fillNormal` uses), the same tables `Rng.fillNormal` draws from.
 * `KN` is an Int32Array copy (every entry is < 2^31) so the hot loop compares int32 with int32.
 */
export const ZIGGURAT_R = zigguratTables.ZIGGURAT_R;
export const KN = Int32Array.from(zigguratTables.kn);
export const WN = zigguratTables.wn;
export const FN = zigguratTables.fn;
