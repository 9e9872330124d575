export { renderVegaLiteSvg } from './render.js';
export { renderTrainingCurves, thin, type TrainingCurveOptions, type KeySelector } from './training-curves.js';
export { renderLineBand, bandAcrossRuns, type BandSeries, type LineBandOptions } from './line-band.js';
