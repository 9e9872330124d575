import { HOOK_CARDINALITY, HOOK_POINTS, isGradientHookPoint, type HookPoint } from '@anneal/core';

/**
 * Where a recipe may place a gradient-noise plugin: every gradient hook point that takes many plugins
 * ('pre-clip', 'post-clip', 'pre-update': all but 'clip'). The default is 'post-clip', the paper's placement.
 */
export const NOISE_HOOK_POINTS: readonly HookPoint[] = HOOK_POINTS.filter((hp) => isGradientHookPoint(hp) && HOOK_CARDINALITY[hp] === 'many');
