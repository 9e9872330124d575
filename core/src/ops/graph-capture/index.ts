export { captureGraph, canCaptureGraph, isCapturingGraph, type Capture, type CaptureScope, type CapturedGraph } from './capture-graph.js';
