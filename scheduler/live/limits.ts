/**
 * Limits of the live job system. Every input is bounded by one of these;
 * each is tested at the limit and one past it (test/scheduler/live/).
 */

/** Largest encoded payload of a job, in bytes (msgpack). */
export const payloadBytesMax = 1024 * 1024;
/** Largest encoded result a handler may return, in bytes (msgpack). */
export const resultBytesMax = 1024 * 1024;
/** Longest error message kept on a failed job, in UTF-16 code units (longer ones are cut). */
export const errorMessageLengthMax = 4096;
/** Deepest nesting of a payload or a result (arrays and objects). */
export const payloadDepthMax = 64;
/** Most active (queued, delayed, waiting, running) jobs at once. */
export const activeJobsMax = 5_000_000;
/** Most jobs in one `submitMany` call (and most finished jobs one `prune` call deletes). */
export const submitBatchMax = 10_000;
/** Most retries (attempts after the first) of one job. */
export const retriesMax = 100;
/** Largest base delay of a backoff, in ms (one week). */
export const backoffDelayMsMax = 7 * 24 * 3600 * 1000;
/** Largest delay between two attempts after exponential growth, in ms (one week). */
export const backoffMsMax = 7 * 24 * 3600 * 1000;
/** Shortest attempt lease, in ms: lease expiry is detected within this (1 s). */
export const leaseMsMin = 1000;
/** Longest attempt lease, in ms (one day). */
export const leaseMsMax = 24 * 3600 * 1000;
/** Default attempt lease, in ms (BullMQ's default lock: 30 s). */
export const leaseMsDefault = 30_000;
/** Most times a job's lease may be missed (stalls, crashes included) before it fails. */
export const stallsMax = 1000;
/** Default number of stalls after which a job fails. */
export const stallsDefault = 10;
/** Most parents of one job. */
export const dependenciesMax = 64;
/**
 * Most unfinished jobs in a dependency graph as a new job sees it (its
 * unfinished ancestors, plus itself). Graph walks (critical paths, slack)
 * cost up to this per transition of a graph's job.
 */
export const dagJobsMax = 1000;
/** Longest cron expression, in characters. */
export const cronExpressionLengthMax = 256;
/** Longest cron schedule name, in UTF-16 code units. */
export const cronNameLengthMax = 128;
/** Longest IANA time zone name accepted, in characters. */
export const timeZoneLengthMax = 64;
/** Most cron schedules. */
export const cronSchedulesMax = 1000;
/** Most fires a schedule catches up at once after downtime; older missed fires are counted as skipped. */
export const cronCatchUpFiresMax = 1000;
/** Most jobs one worker runs at once. */
export const concurrencyMax = 4096;
/** Most worker threads of one worker. */
export const threadsMax = 256;
/** Most slots in the scheduler's pool. */
export const slotsMax = 4096;
/** Default slots of the pool. */
export const slotsDefault = 64;
/** Longest tenant or kind name, in UTF-16 code units. */
export const nameLengthMax = 256;
/** Longest caller-chosen job id, in UTF-16 code units. */
export const customIdLengthMax = 256;
/** Largest job `work` estimate, in slot-seconds. */
export const workMax = 1e12;
/** Default job `work` estimate, in slot-seconds. */
export const workDefault = 1;
/** Largest priority magnitude. */
export const priorityAbsMax = 1_000_000_000;
/** Largest tenant weight. */
export const weightMax = 1_000_000;
/** Most tenants given in one `configure`. */
export const configuredTenantsMax = 100_000;
/** Most `ctx.transaction` calls in one attempt (each is memoized by its position). */
export const transactionStepsMax = 10_000;
/** Latest time accepted for `runAt` and `deadline`, in epoch ms (year 2286). */
export const timeMsMax = 1e13;
/** Largest rate limit window, in ms (one day). */
export const rateWindowMsMax = 24 * 3600 * 1000;
/** Most starts per rate limit window. */
export const rateJobsMax = 1_000_000;
/** Longest scheduling period (the policy's lease period), in seconds. */
export const periodSecondsMax = 1e9;
/** Default scheduling period, in seconds (the simulator's default lease period). */
export const periodSecondsDefault = 600;
/** Outcomes kept for the live fairness report (the oldest are dropped beyond this). */
export const outcomesMax = 100_000;
/** Changes a change feed buffers in memory before it falls back to reading the log. */
export const feedBufferMax = 10_000;
/** Progress value range: a finite number in [0, 1]. */
export const progressMax = 1;
