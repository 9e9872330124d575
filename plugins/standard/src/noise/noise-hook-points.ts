import type { HookPoint } from '@anneal/core';

/** Where a recipe may place a gradient-noise plugin (default 'post-clip', the paper's placement). */
export const NOISE_HOOK_POINTS: readonly HookPoint[] = ['pre-clip', 'post-clip', 'pre-update'];
