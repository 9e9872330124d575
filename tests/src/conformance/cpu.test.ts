import { conformanceSuite } from './conformance-suite.js';

// Conformance on the 'cpu' backend (see conformance-suite.ts).
conformanceSuite('cpu');
