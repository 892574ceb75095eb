/**
 * The live job system: job records in the KV store, the live scheduler over
 * the mechanism, workers (in-process and worker threads), leases and
 * fencing, retries, cron, dependencies, events, the change feed and the SQL
 * tables. `engine/jobs.ts` assembles it into the database's API.
 */
export * from './types.js';
export * from './limits.js';
export { LiveScheduler, publicState, rawWriterOf, type LiveSchedulerOptions, type LiveStats } from './live-scheduler.js';
export { Worker, InProcessEndpoint, type ClosableEndpoint } from './worker.js';
export { ThreadPoolEndpoint, handlerModuleUrl, type HandlerModule } from './thread-pool.js';
export type { ThreadJobContext } from './thread-entry.js';
export { ChangeFeed, decodeChange, type ChangesOptions, type FeedChange, type JobTransition } from './change-feed.js';
export { registerJobTables } from './sql-tables.js';
export { poolCluster, resolveConfig, type ResolvedConfig } from './config.js';
export { JobEmitter } from './events.js';
export { createPackr, storableProblem } from './payload.js';
export { planRetry, backoffDelayMs, type RetryPlan } from './backoff.js';
export { dueFires, nextFireAfter } from './cron.js';
export { effectiveDeadline, findCycle } from './dag.js';
export { TimeMap } from './time-map.js';
