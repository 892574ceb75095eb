/**
 * The scheduler's public face: the simulator, the policies and their names
 * and types, the mechanism (for the live job system), workloads (generator,
 * CSV traces, the store interface) and the `fairdb sched` command.
 */
export * from './model.js';
export { PolicyError, TraceError, type TraceProblem } from './errors.js';
export * from './policies/index.js';
export { Mechanism, leaseAlignments, leaseSecondsDefault, leaseSecondsMax, type LeaseAlignment, type MechanismOptions, type MechanismStats } from './mechanism.js';
export { placementSlowdown, progressRate, rackSpreadPenaltyFactor } from './placement.js';
export { decisionViolations, workConservationViolations } from './decision-check.js';
export { snapshotView } from './view-snapshot.js';
export { computeResult, percentile, type JobOutcome, type TenantOutcome, type Summary, type SimulationResult, type JobTrace } from './metrics.js';
export {
  simulate,
  runSimulation,
  tickSecondsMax,
  workEstimateErrorMax,
  type SimulationInput,
  type SimulationRun,
  type SimulationStats,
  type AdmissionRecord,
  type RunOptions,
} from './simulate.js';
export {
  generateWorkload,
  resolveWorkloadOptions,
  sampleTraceOptions,
  generatedTenantsMax,
  searchJobsDistributions,
  searchJobsParetoTailIndex,
  workloadPresets,
  type WorkloadOptions,
  type SearchJobsDistribution,
  type WorkloadPresetName,
} from './workload.js';
export { rhoLowerBounds, rhoLowerBoundsAnyPolicy, type RhoBoundInput, type RhoBounds, type TenantRhoBound } from './rho-bound.js';
export { parseTraceCsv, formatTraceCsv, traceCharsMax, traceLineCharsMax } from './trace-csv.js';
export { MemoryWorkloadStore, checkWorkloadName, workloadNameLengthMax, type WorkloadStore, type SimRunRecord, type StoredRun } from './workload-store.js';
export { simulateStored, type StoredSimulationInput } from './stored-simulation.js';
export { comparePolicies, formatComparison, policyLabel, type CompareInput, type CompareRow } from './compare.js';
export { formatTable } from './table.js';
export { schedCommand, runSched, type SchedIo } from './cli.js';
