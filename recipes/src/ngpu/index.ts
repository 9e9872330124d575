export { NGPU_AVERAGE, NGPU_CLIP, NGPU_GRID, NGPU_NOISE, ngpuQuick, ngpuTable5Recipe } from './ngpu-table5-recipe.js';
