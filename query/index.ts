/**
 * fairdb's SQL engine: tables over the raw KV store and a SQL dialect close
 * to SQLite's (see the README section "SQL" and each module's header).
 *
 * The public face: `createSqlEngine(store, options)` → `SqlEngine`
 * (exec, query, prepare, explain, transaction, tables,
 * registerVirtualTable), prepared `Statement`s with better-sqlite3's
 * methods, and the types they use. Everything else in this folder is
 * internal to the engine.
 */
export { createSqlEngine, type SqlEngine } from './engine.js';
export type { Row, Statement } from './statement.js';
export type { VirtualTableDef } from './bound.js';
export type { SqlEngineOptions } from './options.js';
export { columnarCacheBytesDefault, columnarCacheBytesMax } from './options.js';
export type { ColumnarCacheFigures } from './columnar-cache.js';
export type { ColumnType } from './sql-type.js';
export { SqlSemanticError } from './sql-error.js';
export { SqlParseError, SqlLimitError } from './parse-error.js';
