export { captureGraph, canCaptureGraph, type Capture, type CapturedGraph } from './capture-graph.js';
