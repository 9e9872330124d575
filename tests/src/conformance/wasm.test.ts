import { conformanceSuite } from './conformance-suite.js';

// Conformance on the 'wasm' backend (see conformance-suite.ts).
conformanceSuite('wasm');
