/**
 * A generator of Themis-like traces: tenants running hyperparameter
 * searches, each search a batch of jobs of one model.
 *
 * - Searches arrive as a Poisson process; the arrival rate is set so that
 *   the offered load (work arriving per second / slots) is `load`.
 * - Which tenant launches a search follows a Zipf law of exponent
 *   `tenantSkew` over the tenants (a few heavy tenants, a tail of light
 *   ones); 0 makes it uniform.
 * - A search has 1 + Geometric jobs (mean `searchJobsMean`), or with
 *   `searchJobsDistribution: 'pareto'` a heavy-tailed count (1 + a rounded
 *   Lomax draw of tail index `searchJobsParetoTailIndex`, mean about
 *   `searchJobsMean`, at most `searchJobsMax`: most searches have a few
 *   jobs, a few have hundreds), all of one gang
 *   size drawn from `slotChoices` (weights `slotWeights`) and one model
 *   type: placement-sensitive (VGG/LSTM-like: sensitivity uniform in
 *   `sensitivityRange`) with probability `sensitiveFraction`, otherwise
 *   insensitive (ResNet-like: 1 to 1.05). Its jobs arrive within
 *   `searchSpreadSeconds` of the search.
 * - Job running times at perfect placement are heavy-tailed: log-normal
 *   around a per-search median (itself log-normal around
 *   `durationMedianSeconds`, σ `searchMedianSigma`) with σ `durationSigma`, capped at
 *   `durationMaxSeconds`; work = running time × slots.
 * - With probability `deadlineFraction` a job gets a deadline of
 *   `arrival + slack × running time + deadlineGraceSeconds`, slack uniform
 *   in `deadlineSlackRange`; with probability `elasticFraction` a job of
 *   2+ slots becomes elastic (`minSlots = slots / 2`, `maxSlots = slots`).
 * - `tenantPerSearch` makes every search its own tenant (an "app" in the
 *   Themis paper's terms: one hyperparameter search arriving once), so
 *   finish-time fairness is judged per search, not per tenant over all the
 *   searches it launches over the trace.
 *
 * Two named presets (`workloadPresets`): `searches` (the defaults: a few
 * tenants each launching searches over the whole trace) and `themis-apps`
 * (one tenant per search, heavy-tailed jobs per search, long-running
 * searches next to short ones: the shape of the workload the Themis paper
 * evaluates on).
 *
 * Times are rounded to milliseconds and work to whole slot-seconds, so the
 * trace reads well as CSV. Deterministic for a seed.
 */
import { OptionsViolations, seededRandom, type Random } from '../storage/device/index.js';
import { jobsMax, resolveCluster, type ClusterSpec, type JobSpec } from './model.js';

export interface WorkloadOptions {
  /** Seed of the generator (safe integer); default 1. */
  readonly seed?: number;
  /** Number of jobs (1..jobsMax); default 1000. */
  readonly jobs?: number;
  /** Number of tenants (1..100000); default 8. */
  readonly tenants?: number;
  /** The cluster the load is relative to; default 16 machines × 8 slots. */
  readonly cluster?: ClusterSpec;
  /** Offered load: arriving work per second / slots (0 < load ≤ 100); default 0.9. */
  readonly load?: number;
  /** Mean jobs per hyperparameter search (1..100000); default 16. */
  readonly searchJobsMean?: number;
  /** Median job running time at perfect placement, seconds; default 1800. */
  readonly durationMedianSeconds?: number;
  /** σ of the log-normal running time (0..4); default 1.5. */
  readonly durationSigma?: number;
  /** Longest running time, seconds; default 2 days. */
  readonly durationMaxSeconds?: number;
  /** Gang sizes of searches; default [1, 2, 4, 8] (sizes over the cluster's slots are dropped). */
  readonly slotChoices?: readonly number[];
  /** Relative weights of `slotChoices`; default [0.4, 0.25, 0.2, 0.15]. */
  readonly slotWeights?: readonly number[];
  /** Fraction of searches of placement-sensitive models (0..1); default 0.5. */
  readonly sensitiveFraction?: number;
  /** Sensitivity of sensitive models, [min, max] (≥ 1); default [1.5, 2.5]. */
  readonly sensitivityRange?: readonly [number, number];
  /** Fraction of jobs with a deadline (0..1); default 0. */
  readonly deadlineFraction?: number;
  /** Deadline slack as a multiple of the running time, [min, max] (≥ 1); default [1.5, 4]. */
  readonly deadlineSlackRange?: readonly [number, number];
  /** Seconds added to every deadline (≥ 0); default 0. */
  readonly deadlineGraceSeconds?: number;
  /** Fraction of jobs of 2+ slots made elastic (0..1); default 0. */
  readonly elasticFraction?: number;
  /** Window over which a search's jobs arrive, seconds (≥ 0); default 60. */
  readonly searchSpreadSeconds?: number;
  /** Zipf exponent of tenant activity (0..4); default 1. Ignored with `tenantPerSearch`. */
  readonly tenantSkew?: number;
  /** Distribution of the number of jobs of a search; default 'geometric'. */
  readonly searchJobsDistribution?: SearchJobsDistribution;
  /** Most jobs in one search with the 'pareto' distribution (1..jobsMax); default 1000. */
  readonly searchJobsMax?: number;
  /** σ of the log-normal per-search median running time around `durationMedianSeconds` (0..4); default 0.5. */
  readonly searchMedianSigma?: number;
  /** Whether every search is its own tenant (named `a1`, `a2`, ...; `tenants` is then ignored); default false. */
  readonly tenantPerSearch?: boolean;
}

/** How the number of jobs of a search is drawn (see the file comment). */
export type SearchJobsDistribution = 'geometric' | 'pareto';
export const searchJobsDistributions: readonly SearchJobsDistribution[] = ['geometric', 'pareto'];

/** Tail index of the 'pareto' jobs-per-search distribution (finite mean, infinite variance). */
export const searchJobsParetoTailIndex = 1.5;

/** Most tenants a generated workload can have. */
export const generatedTenantsMax = 100_000;

type Resolved = Required<Omit<WorkloadOptions, 'cluster'>> & { readonly slots: number };

const defaults = {
  seed: 1,
  jobs: 1000,
  tenants: 8,
  load: 0.9,
  searchJobsMean: 16,
  durationMedianSeconds: 1800,
  durationSigma: 1.5,
  durationMaxSeconds: 2 * 86400,
  slotChoices: [1, 2, 4, 8],
  slotWeights: [0.4, 0.25, 0.2, 0.15],
  sensitiveFraction: 0.5,
  sensitivityRange: [1.5, 2.5] as const,
  deadlineFraction: 0,
  deadlineSlackRange: [1.5, 4] as const,
  deadlineGraceSeconds: 0,
  elasticFraction: 0,
  searchSpreadSeconds: 60,
  tenantSkew: 1,
  searchJobsDistribution: 'geometric' as SearchJobsDistribution,
  searchJobsMax: 1000,
  searchMedianSigma: 0.5,
  tenantPerSearch: false,
};

const inRange = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi;
const isPair = (x: unknown, lo: number): x is readonly [number, number] =>
  Array.isArray(x) && x.length === 2 && inRange(x[0], lo, 1e9) && inRange(x[1], lo, 1e9) && (x[0] as number) <= (x[1] as number);

/** Resolves and validates generator options, reporting every violation at once. */
export function resolveWorkloadOptions(options: WorkloadOptions = {}): Resolved {
  const o = { ...defaults, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) } as typeof defaults & { cluster?: ClusterSpec };
  const cluster = resolveCluster(options.cluster ?? { machines: 16, slotsPerMachine: 8 });
  const v = new OptionsViolations('workload options');
  v.check(Number.isSafeInteger(o.seed), `seed must be a safe integer, got ${String(o.seed)}`);
  v.check(Number.isSafeInteger(o.jobs) && o.jobs >= 1 && o.jobs <= jobsMax, `jobs must be an integer in 1..${jobsMax}, got ${String(o.jobs)}`);
  v.check(Number.isSafeInteger(o.tenants) && o.tenants >= 1 && o.tenants <= generatedTenantsMax, `tenants must be an integer in 1..${generatedTenantsMax}, got ${String(o.tenants)}`);
  v.check(inRange(o.load, Number.MIN_VALUE, 100), `load must be in (0, 100], got ${String(o.load)}`);
  v.check(inRange(o.searchJobsMean, 1, 100_000), `searchJobsMean must be in 1..100000, got ${String(o.searchJobsMean)}`);
  v.check(inRange(o.durationMedianSeconds, 1, 1e8), `durationMedianSeconds must be in 1..1e8, got ${String(o.durationMedianSeconds)}`);
  v.check(inRange(o.durationSigma, 0, 4), `durationSigma must be in 0..4, got ${String(o.durationSigma)}`);
  v.check(inRange(o.durationMaxSeconds, 1, 1e9), `durationMaxSeconds must be in 1..1e9, got ${String(o.durationMaxSeconds)}`);
  const choices = o.slotChoices;
  const weights = o.slotWeights;
  const choicesOk = Array.isArray(choices) && choices.length >= 1 && choices.length <= 64 && choices.every((c) => Number.isSafeInteger(c) && c >= 1);
  v.check(choicesOk, `slotChoices must be 1..64 positive integers, got ${JSON.stringify(choices)}`);
  v.check(
    Array.isArray(weights) && choicesOk && weights.length === choices.length && weights.every((w) => inRange(w, 0, 1e9)) && weights.some((w) => w > 0),
    `slotWeights must be one non-negative weight per slot choice, not all zero, got ${JSON.stringify(weights)}`,
  );
  if (choicesOk) v.check(choices.some((c) => c <= cluster.slots), `slotChoices must include a size that fits the cluster's ${cluster.slots} slots`);
  v.check(inRange(o.sensitiveFraction, 0, 1), `sensitiveFraction must be in 0..1, got ${String(o.sensitiveFraction)}`);
  v.check(isPair(o.sensitivityRange, 1), `sensitivityRange must be [min, max] with 1 ≤ min ≤ max, got ${JSON.stringify(o.sensitivityRange)}`);
  v.check(inRange(o.deadlineFraction, 0, 1), `deadlineFraction must be in 0..1, got ${String(o.deadlineFraction)}`);
  v.check(isPair(o.deadlineSlackRange, 1), `deadlineSlackRange must be [min, max] with 1 ≤ min ≤ max, got ${JSON.stringify(o.deadlineSlackRange)}`);
  v.check(inRange(o.deadlineGraceSeconds, 0, 1e9), `deadlineGraceSeconds must be in 0..1e9, got ${String(o.deadlineGraceSeconds)}`);
  v.check(inRange(o.elasticFraction, 0, 1), `elasticFraction must be in 0..1, got ${String(o.elasticFraction)}`);
  v.check(inRange(o.searchSpreadSeconds, 0, 1e9), `searchSpreadSeconds must be in 0..1e9, got ${String(o.searchSpreadSeconds)}`);
  v.check(inRange(o.tenantSkew, 0, 4), `tenantSkew must be in 0..4, got ${String(o.tenantSkew)}`);
  v.check(searchJobsDistributions.includes(o.searchJobsDistribution), `searchJobsDistribution must be one of ${searchJobsDistributions.join(', ')}, got ${String(o.searchJobsDistribution)}`);
  v.check(Number.isSafeInteger(o.searchJobsMax) && o.searchJobsMax >= 1 && o.searchJobsMax <= jobsMax, `searchJobsMax must be an integer in 1..${jobsMax}, got ${String(o.searchJobsMax)}`);
  v.check(inRange(o.searchMedianSigma, 0, 4), `searchMedianSigma must be in 0..4, got ${String(o.searchMedianSigma)}`);
  v.check(typeof o.tenantPerSearch === 'boolean', `tenantPerSearch must be a boolean, got ${String(o.tenantPerSearch)}`);
  v.throwIfAny();
  return Object.freeze({ ...o, slots: cluster.slots }) as Resolved;
}

function normal(random: Random): number {
  const u = 1 - random.float();
  const v = random.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** An index drawn with probability proportional to `weights` (cumulative, ascending). */
function weighted(random: Random, cumulative: readonly number[]): number {
  const x = random.float() * (cumulative[cumulative.length - 1] as number);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

const roundMs = (x: number) => Math.round(x * 1000) / 1000;

/** Generates a workload (jobs sorted by arrival). Throws `INVALID_ARGUMENT` on bad options. */
export function generateWorkload(options: WorkloadOptions = {}): JobSpec[] {
  const o = resolveWorkloadOptions(options);
  const random = seededRandom(o.seed);
  const tenantNames = Array.from({ length: o.tenants }, (_, k) => `t${String(k + 1).padStart(String(o.tenants).length, '0')}`);
  const tenantCumulative = cumulate(tenantNames.map((_, k) => 1 / Math.pow(k + 1, o.tenantSkew)));
  const sizes = o.slotChoices.map((c, i) => ({ c, w: c <= o.slots ? (o.slotWeights[i] as number) : 0 }));
  const sizeCumulative = cumulate(sizes.map((s) => s.w));
  interface Draft {
    search: number;
    tenant: string;
    offset: number;
    slots: number;
    seconds: number;
    sensitivity: number;
  }
  const drafts: Draft[] = [];
  let searches = 0;
  let totalWork = 0;
  const continueChance = 1 - 1 / o.searchJobsMean;
  // Lomax scale for a mean of about searchJobsMean - 1 extra jobs.
  const lomaxScale = (o.searchJobsMean - 1) * (searchJobsParetoTailIndex - 1);
  const appWidth = String(o.jobs).length;
  while (drafts.length < o.jobs) {
    const tenant = o.tenantPerSearch ? `a${String(searches + 1).padStart(appWidth, '0')}` : (tenantNames[weighted(random, tenantCumulative)] as string);
    const slots = (sizes[weighted(random, sizeCumulative)] as { c: number }).c;
    const sensitive = random.chance(o.sensitiveFraction);
    const [lo, hi] = o.sensitivityRange;
    const sensitivity = sensitive ? lo + (hi - lo) * random.float() : 1 + 0.05 * random.float();
    const median = o.durationMedianSeconds * Math.exp(o.searchMedianSigma * normal(random));
    const draft = () => {
      const seconds = Math.max(1, Math.min(o.durationMaxSeconds, median * Math.exp(o.durationSigma * normal(random))));
      drafts.push({ search: searches, tenant, offset: o.searchSpreadSeconds * random.float(), slots, seconds, sensitivity: Math.round(sensitivity * 1000) / 1000 });
      totalWork += Math.max(1, Math.round(seconds * slots));
    };
    if (o.searchJobsDistribution === 'geometric') {
      do draft();
      while (drafts.length < o.jobs && random.chance(continueChance));
    } else {
      const extra = Math.round(lomaxScale * (Math.pow(1 - random.float(), -1 / searchJobsParetoTailIndex) - 1));
      const count = Math.min(o.searchJobsMax, 1 + Math.min(extra, jobsMax));
      for (let k = 0; k < count && drafts.length < o.jobs; k++) draft();
    }
    searches++;
  }
  // Poisson search arrivals scaled so that the offered load is `load`.
  const span = totalWork / (o.load * o.slots);
  const gaps: number[] = [];
  let sum = 0;
  for (let s = 0; s < searches; s++) {
    const gap = -Math.log(1 - random.float());
    gaps.push(gap);
    sum += gap;
  }
  const searchStart: number[] = [];
  let clock = 0;
  for (let s = 0; s < searches; s++) {
    searchStart.push(clock);
    clock += ((gaps[s] as number) / sum) * span;
  }
  const jobs = drafts.map((d) => {
    const arrival = roundMs((searchStart[d.search] as number) + d.offset);
    const work = Math.max(1, Math.round(d.seconds * d.slots));
    const elastic = d.slots >= 2 && random.chance(o.elasticFraction);
    const deadline = random.chance(o.deadlineFraction)
      ? roundMs(arrival + (o.deadlineSlackRange[0] + (o.deadlineSlackRange[1] - o.deadlineSlackRange[0]) * random.float()) * (work / d.slots) + o.deadlineGraceSeconds)
      : undefined;
    return { tenant: d.tenant, arrival, slots: d.slots, elastic, work, sensitivity: d.sensitivity, deadline };
  });
  const order = jobs.map((_, i) => i).sort((a, b) => (jobs[a] as { arrival: number }).arrival - (jobs[b] as { arrival: number }).arrival || a - b);
  const width = String(jobs.length).length;
  return order.map((i, k) => {
    const j = jobs[i] as (typeof jobs)[number];
    const spec: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { id: `j${String(k + 1).padStart(width, '0')}`, tenant: j.tenant, arrival: j.arrival, work: j.work };
    if (j.elastic) {
      spec.minSlots = Math.max(1, Math.floor(j.slots / 2));
      spec.maxSlots = j.slots;
    } else spec.slots = j.slots;
    if (j.sensitivity !== 1) spec.placementSensitivity = j.sensitivity;
    if (j.deadline !== undefined) spec.deadline = j.deadline;
    return spec;
  });
}

/** Names of the workload presets. */
export type WorkloadPresetName = 'searches' | 'themis-apps';

/**
 * Named generator settings, to combine with `seed`, `jobs`, `cluster` and
 * `load`. `searches`: the defaults. `themis-apps`: every search its own
 * tenant (the paper's "app"), 1 + Lomax jobs per search (mean about 8, up to
 * 500), per-search median running times spread over two orders of magnitude
 * (σ 1), half the searches placement-sensitive.
 */
export const workloadPresets: Readonly<Record<WorkloadPresetName, WorkloadOptions>> = Object.freeze({
  searches: Object.freeze({}),
  'themis-apps': Object.freeze({
    tenantPerSearch: true,
    searchJobsDistribution: 'pareto',
    searchJobsMean: 8,
    searchJobsMax: 500,
    searchMedianSigma: 1,
  }),
});

/** The options of the committed sample trace `scheduler/traces/sample.csv`. */
export const sampleTraceOptions: WorkloadOptions = Object.freeze({
  seed: 42,
  jobs: 200,
  tenants: 6,
  cluster: { machines: 8, slotsPerMachine: 8 },
  load: 0.9,
  searchJobsMean: 12,
  durationMedianSeconds: 900,
  deadlineFraction: 0.2,
});
