/**
 * TPC-C (v5.11) for fairdb and its peers: schema and loader, the five
 * transactions in SQL and KV form, drivers for better-sqlite3 and lmdb,
 * consistency conditions 1–4, the runner and the `bench tpcc` command.
 *
 * To add a database, write a `SqlDriver` or a `KvDriver` (driver.ts) and a
 * `TpccDriverFactory` that opens it in a given directory with the run's
 * durability; pass it to `runTpcc` or `createTpccCommand`.
 */
export * from './driver.js';
export { betterSqlite3Driver, type BetterSqlite3DriverOptions } from './better-sqlite3-driver.js';
export { lmdbDriver, type LmdbDriverOptions } from './lmdb-driver.js';
export { runTpcc, resolveTpccOptions, tpccStreams, warehousesMax, secondsMax, type TpccRunOptions, type TpccReport, type TpccDriverReport, type TpccRunStats, type TpccTransactionStats, type TpccProgress } from './run.js';
export { formatTpccReport } from './format-report.js';
export { createTpccCommand, runTpccCli, type TpccCliDependencies, type TpccCliOutput } from './cli.js';
export { checkConsistency, type ConsistencyFacts, type ConsistencyReport, type ConsistencyConditionResult } from './consistency.js';
export { tpccScales, type TpccScale, type TpccScaleName } from './scale.js';
export { tpccTables, tpccIndexes, type TpccTableName } from './schema.js';
export { generateTpcc, type TpccBatch, type TpccGenerateOptions } from './generate.js';
export { loadTpcc, type TpccLoadResult, type TpccTarget } from './load.js';
export { SqlWorkload } from './sql-workload.js';
export { KvWorkload } from './kv-workload.js';
export { TpccInputGenerator, tpccTransactionTypes, tpccMixPercent, type TpccTransactionType, type TpccInput } from './inputs.js';
export type { TpccWorkload, TpccOutput } from './workload.js';
export { nuRand, chooseConstants, type TpccConstants } from './random-data.js';
