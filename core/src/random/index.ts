/** The seeded random streams alone (`@anneal/core/random`), for code that must not load tfjs, e.g. worker threads. */
export * from './rng.js';
export * from './seed-derivation.js';
export * as zigguratTables from './ziggurat-tables.js';
