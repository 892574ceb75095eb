/**
 * fairdb's public API. Everything a user can import from 'fairdb' is exported
 * here and nowhere else.
 */
export { open, Database, Snapshot, type OpenOptions, type PmemOpenOptions, type DeviceChoice, type DatabaseStats } from './database.js';
export type { Entry, Key, KvTransaction, RangeIterable, RangeOptions, Row, SqlEngine, Statement } from './database.js';
export {
  FairdbError,
  CorruptionError,
  LimitError,
  InvalidArgumentError,
  ClosedError,
  LockedError,
  IoError,
  type FairdbErrorCode,
} from '../storage/device/index.js';
export { Jobs, SchedulerControl } from './jobs.js';
export { Worker, poolCluster } from '../scheduler/live/index.js';
export type {
  JobId,
  JobState,
  JobInfo,
  JobContext,
  JobHandler,
  JobEvents,
  JobEventName,
  JobAdmission,
  AdmittedJob,
  SubmitSpec,
  SubmitOptions,
  BackoffSpec,
  CronSpec,
  ScheduleInfo,
  SchedulerConfig,
  TenantSettings,
  WorkerOptions,
  HandlerModule,
  ThreadJobContext,
  ChangesOptions,
  FeedChange,
  JobTransition,
  LiveStats,
} from '../scheduler/live/index.js';
export { ManualClock, systemClock, type Clock } from '../storage/device/index.js';
export {
  simulate,
  generateWorkload,
  parseTraceCsv,
  formatTraceCsv,
  policyNames,
  type SimulationInput,
  type SimulationResult,
  type WorkloadOptions,
} from '../scheduler/index.js';
