import { conformanceSuite } from './conformance-suite.js';

// Conformance on the 'tensorflow' backend (see conformance-suite.ts).
conformanceSuite('tensorflow');
