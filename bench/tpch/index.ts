/**
 * TPC-H for fairdb: a seeded data generator (all eight tables, any scale
 * factor), the 22 queries in fairdb's and SQLite's dialects, an engine
 * interface with a better-sqlite3 implementation, the comparison harness
 * and its command-line entry.
 */
export * from './schema.js';
export * from './dates.js';
export { TextPool, textPoolCharsDefault, commentCharsMax } from './text-pool.js';
export * from './generate.js';
export * from './queries.js';
export * from './compare.js';
export * from './engine.js';
export * from './sqlite-engine.js';
export * from './run.js';
export * from './cli.js';
