/**
 * The scheduling-policy benchmark (issue 6):
 *
 * 1. every policy on the same generated Themis-like workloads (several seeds,
 *    three offered loads): max rho, mean rho, Jain's index of rho, mean and
 *    p99 JCT, makespan, utilization, deadline misses; fifo and drf also with
 *    placement-aware packing, to separate placement from policy, and themis
 *    without partial allocation;
 * 2. the goals: themis' max rho against the best of drf/las/fifo, and its
 *    utilization against drf's, with the critical-path lower bound on max
 *    rho that holds for any policy (`rho-bound.ts`): the smallest ratio any
 *    policy could reach;
 * 2b. the same on the `themis-apps` preset (one tenant per hyperparameter
 *    search, heavy-tailed jobs per search: the paper's kind of workload),
 *    with 10-minute and 2-minute leases that end at period boundaries, and
 *    with staggered 10-minute leases (each a lease from its grant);
 * 3. a sweep of themis' fairness knob f;
 * 4. deadline misses on feasible and on overloaded deadline workloads;
 * 5. admission answers confirmed by the simulation;
 * 6. decision cost: one decision with 10,000 queued jobs on 1,000 machines ×
 *    8 slots (tinybench), at a lease boundary (all slots free) and mid-period
 *    (16 slots just freed);
 * 7. wall time to simulate 100,000 jobs on that cluster.
 *
 * Run: npx tsc -p . && node dist/bench/sched/compare.js [--quick]
 * (--quick: fewer seeds and a 20,000-job instead of 100,000-job run).
 */
import { Bench } from 'tinybench';
import {
  Mechanism,
  comparePolicies,
  createPolicy,
  formatComparison,
  formatTable,
  generateWorkload,
  policyNames,
  resolveCluster,
  resolveJobs,
  rhoLowerBoundsAnyPolicy,
  runSimulation,
  workloadPresets,
  type CompareRow,
  type JobSpec,
  type PolicySpec,
  type WorkloadOptions,
} from '../../scheduler/index.js';

const quick = process.argv.includes('--quick');
const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
const cluster = { machines: 32, slotsPerMachine: 8, racks: 4 };
const lease = 600;

function section(title: string): void {
  process.stdout.write(`\n## ${title}\n\n`);
}

function r(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function workloadFor(options: WorkloadOptions) {
  return (seed: number): readonly JobSpec[] => generateWorkload({ seed, cluster, jobs: quick ? 1000 : 2000, tenants: 16, ...options });
}

const allPolicies: PolicySpec[] = [
  ...policyNames.map((name) => ({ name })),
  { name: 'fifo', placement: 'packed' },
  { name: 'drf', placement: 'packed' },
  { name: 'themis', partialAllocation: false },
];

function byLabel(rows: readonly CompareRow[], label: string): CompareRow {
  const row = rows.find((x) => x.label === label);
  if (row === undefined) throw new Error(`no row ${label}`);
  return row;
}

process.stdout.write(
  `# fairdb scheduler benchmark\n\ncluster ${cluster.machines} machines × ${cluster.slotsPerMachine} slots in ${cluster.racks} racks; lease ${lease} s; seeds ${seeds.join(',')}; ` +
    `generated workloads of ${quick ? 1000 : 2000} jobs (preset searches: 16 tenants each launching hyperparameter searches over the trace; preset themis-apps: one tenant per search, 1 + Lomax jobs per search; both: gangs of 1/2/4/8 slots, half of the searches placement-sensitive, log-normal running times, median 30 min, capped at 2 days)\n`,
);

/**
 * One row of the goal table: themis against the best of drf/las/fifo, with
 * the mean over seeds of the lower bound on max rho that holds for any
 * policy, and the ratio that bound leaves possible.
 */
function goalRow(workload: string, leases: string, load: number, rows: readonly CompareRow[], make: (seed: number) => readonly JobSpec[]): (string | number)[] {
  const themis = byLabel(rows, 'themis');
  const baselines = ['drf', 'las', 'fifo'].map((label) => byLabel(rows, label));
  const best = baselines.reduce((a, b) => (a.mean.maxRho <= b.mean.maxRho ? a : b));
  const perSeedRatio = seeds.map((_, k) => {
    const bestSeed = Math.min(...baselines.map((b) => (b.runs[k] as CompareRow['runs'][number]).result.summary.maxRho));
    return (themis.runs[k] as CompareRow['runs'][number]).result.summary.maxRho / bestSeed;
  });
  const bound = seeds.reduce((sum, seed) => sum + rhoLowerBoundsAnyPolicy({ cluster, jobs: make(seed) }).max, 0) / seeds.length;
  const ratio = themis.mean.maxRho / best.mean.maxRho;
  const drfUtil = byLabel(rows, 'drf').mean.utilization;
  return [
    workload,
    leases,
    load,
    r(themis.mean.maxRho),
    `${best.label} ${r(best.mean.maxRho)}`,
    r(bound),
    r(ratio),
    r(bound / best.mean.maxRho),
    r(Math.max(...perSeedRatio)),
    r(themis.mean.utilization),
    r(drfUtil),
    ratio <= 0.5 && themis.mean.utilization >= drfUtil ? 'yes' : 'no',
  ];
}

// 1 and 2: comparison at three loads, and the goals.
const goals: (string | number)[][] = [];
for (const load of [0.7, 1.0, 1.5]) {
  section(`Policies at offered load ${load} (means over seeds)`);
  const make = workloadFor({ load, deadlineFraction: 0.2 });
  const rows = comparePolicies({ cluster, policies: allPolicies, seeds, workload: make, leaseSeconds: lease });
  process.stdout.write(`${formatComparison(rows)}\n`);
  goals.push(goalRow('searches', `${lease} s`, load, rows, make));
}

// 2b: the themis-apps preset, with the standard and with short leases.
const appPolicies: PolicySpec[] = [{ name: 'fifo' }, { name: 'drf' }, { name: 'las' }, { name: 'themis' }, { name: 'deadline-fair' }, { name: 'drf', placement: 'packed' }];
const appLeases = [
  { seconds: lease, alignment: 'period' },
  { seconds: 120, alignment: 'period' },
  { seconds: lease, alignment: 'staggered' },
] as const;
for (const appLease of appLeases) {
  const leases = `${appLease.seconds} s${appLease.alignment === 'staggered' ? ' staggered' : ''}`;
  for (const load of [0.7, 1.0, 1.5]) {
    section(`themis-apps preset (one tenant per search), offered load ${load}, leases ${leases} (means over seeds)`);
    const make = workloadFor({ load, deadlineFraction: 0.2, ...workloadPresets['themis-apps'] });
    const cpu0 = process.cpuUsage();
    const rows = comparePolicies({ cluster, policies: appPolicies, seeds, workload: make, leaseSeconds: appLease.seconds, leaseAlignment: appLease.alignment });
    const cpu = process.cpuUsage(cpu0);
    const tenants = seeds.map((seed) => new Set(make(seed).map((j) => j.tenant)).size);
    process.stdout.write(`${formatComparison(rows)}\n\napps per seed ${tenants.join(', ')}; CPU ${r((cpu.user + cpu.system) / 1e6, 1)} s for the ${rows.length * seeds.length} runs\n`);
    goals.push(goalRow('themis-apps', leases, load, rows, make));
  }
}
section('Goal: themis max rho ≤ 1/2 of the best of drf/las/fifo, utilization ≥ drf');
process.stdout.write(
  `${formatTable(
    ['workload', 'leases', 'load', 'themis maxRho', 'best baseline maxRho', 'bound (any policy)', 'ratio (means)', 'least possible ratio', 'worst seed ratio', 'themis util', 'drf util', 'met'],
    goals,
  )}\n\nbound: the critical-path lower bound on max rho that holds for every policy (rho-bound.ts), mean over seeds; least possible ratio = bound / best baseline: above 0.5, no policy can meet the goal on that workload\n`,
);

// 3: the fairness knob.
section('Themis fairness knob f (load 1.0, means over seeds)');
{
  const rows = comparePolicies({
    cluster,
    policies: [0, 0.2, 0.5, 0.8, 0.9, 1].map((f) => ({ name: 'themis', f })),
    seeds,
    workload: workloadFor({ load: 1.0, deadlineFraction: 0.2 }),
    leaseSeconds: lease,
  });
  process.stdout.write(`${formatComparison(rows)}\n`);
}

// 4 and 5: deadlines and admission.
const deadlineCluster = { machines: 16, slotsPerMachine: 8, racks: 2 };
const feasible = (seed: number) =>
  generateWorkload({
    seed,
    cluster: deadlineCluster,
    jobs: quick ? 500 : 1000,
    tenants: 8,
    load: 0.3,
    deadlineFraction: 1,
    slotChoices: [1],
    slotWeights: [1],
    deadlineSlackRange: [3, 6],
    deadlineGraceSeconds: 2 * lease,
  });
const overloaded = (seed: number) => generateWorkload({ seed, cluster: deadlineCluster, jobs: quick ? 500 : 1000, tenants: 8, load: 1.5, deadlineFraction: 0.5 });
const moderate = (seed: number) => generateWorkload({ seed, cluster: deadlineCluster, jobs: quick ? 500 : 1000, tenants: 8, load: 0.8, deadlineFraction: 0.5 });
section(
  `Deadline misses (${deadlineCluster.machines} × ${deadlineCluster.slotsPerMachine} slots; sum over seeds). Feasible: single-slot jobs, all with deadlines of 3-6× their running time + 2 leases, load 0.3. Overloaded: load 1.5, half the jobs with deadlines of 1.5-4× their running time`,
);
{
  const table: (string | number)[][] = [];
  const admission: (string | number)[][] = [];
  for (const name of policyNames) {
    const row: (string | number)[] = [name];
    for (const [label, make] of [
      ['feasible', feasible],
      ['moderate', moderate],
      ['overloaded', overloaded],
    ] as const) {
      let misses = 0;
      let deadlines = 0;
      let accepted = 0;
      let acceptedMet = 0;
      let infeasible = 0;
      let infeasibleMissed = 0;
      let atRisk = 0;
      for (const seed of seeds) {
        const jobs = make(seed);
        const run = runSimulation({ cluster: deadlineCluster, policy: { name }, jobs, seed, leaseSeconds: lease });
        misses += run.result.summary.deadlineMisses;
        deadlines += jobs.filter((j) => j.deadline !== undefined).length;
        for (const a of run.admissions) {
          if (a.verdict === 'accepted') {
            accepted++;
            if (a.deadlineMet) acceptedMet++;
          } else if (a.verdict === 'infeasible') {
            infeasible++;
            if (!a.deadlineMet) infeasibleMissed++;
          } else atRisk++;
        }
      }
      row.push(`${misses}/${deadlines}`);
      if (accepted + infeasible > 0) {
        admission.push([
          name,
          label,
          accepted,
          accepted === 0 ? '-' : `${r((100 * acceptedMet) / accepted, 1)}%`,
          infeasible,
          infeasible === 0 ? '-' : `${r((100 * infeasibleMissed) / infeasible, 1)}%`,
          atRisk,
          `${r((100 * (acceptedMet + infeasibleMissed)) / (accepted + infeasible), 1)}%`,
        ]);
      }
    }
    table.push(row);
  }
  process.stdout.write(`${formatTable(['policy', 'feasible misses', 'load 0.8 misses', 'load 1.5 misses'], table)}\n`);
  section('Admission answers confirmed by the simulation (at-risk answers are neither confirmed nor refuted)');
  process.stdout.write(
    `${formatTable(['policy', 'workload', 'accepted', 'accepted & met', 'infeasible', 'infeasible & missed', 'at-risk', 'confirmed'], admission)}\n`,
  );
}

// 6: decision cost.
section('Decision cost: one decision with 10,000 queued jobs on 1,000 machines × 8 slots (10 racks), 100 tenants (tinybench)');
{
  const big = resolveCluster({ machines: 1000, slotsPerMachine: 8, racks: 10 });
  const specs = generateWorkload({ seed: 7, cluster: big, jobs: 30_000, tenants: 100, deadlineFraction: 0.2 }).map((j) => ({ ...j, arrival: 0, deadline: j.deadline === undefined ? undefined : j.deadline - j.arrival }));
  const jobs = resolveJobs(specs, big);
  const table: (string | number)[][] = [];
  for (const name of policyNames) {
    const created = createPolicy({ name });
    if (created._tag === 'Left') throw created.left;
    const policy = created.right;
    // Lease boundary: 10,000 queued, every slot free.
    const boundary = new Mechanism({ cluster: big, policy, leaseSeconds: lease });
    for (let k = 0; k < 10_000; k++) boundary.submit(jobs[k] as (typeof jobs)[number], 0);
    // Mid-period: the cluster busy, 10,000 still queued, then 16 slots freed.
    const mid = new Mechanism({ cluster: big, policy, leaseSeconds: lease });
    const handles: number[] = [];
    let k = 0;
    for (; k < 10_000; k++) handles.push(mid.submit(jobs[k] as (typeof jobs)[number], 0).handle);
    const started = mid.decide(0);
    for (; mid.pending.size < 10_000 && k < jobs.length; k++) mid.submit(jobs[k] as (typeof jobs)[number], 0);
    let freed = 0;
    for (const job of started) {
      if (freed >= 16) break;
      freed += job.slots.length;
      mid.complete(job.index, 1);
    }
    const bench = new Bench({ time: quick ? 300 : 1000, warmupTime: 100 });
    let allocations = [0, 0];
    bench.add(`${name} boundary`, () => {
      const d = policy.decide(boundary, 0);
      if (d._tag === 'Right') allocations[0] = d.right.allocations.length;
    });
    bench.add(`${name} mid-period`, () => {
      const d = policy.decide(mid, 1);
      if (d._tag === 'Right') allocations[1] = d.right.allocations.length;
    });
    await bench.run();
    const [b, m] = bench.tasks.map((t) => t.result as unknown as { latency: { mean: number; p99: number } });
    table.push([name, boundary.pending.size, r(b?.latency.mean ?? NaN, 2), r(b?.latency.p99 ?? NaN, 2), allocations[0] ?? 0, mid.pending.size, mid.freeSlots, r(m?.latency.mean ?? NaN, 3), r(m?.latency.p99 ?? NaN, 3), allocations[1] ?? 0]);
    allocations = [0, 0];
  }
  process.stdout.write(
    `${formatTable(['policy', 'queued', 'boundary mean ms', 'p99 ms', 'allocs', 'queued', 'free', 'mid mean ms', 'p99 ms', 'allocs'], table)}\n`,
  );
}

// 7: simulation speed.
const simJobs = quick ? 20_000 : 100_000;
section(`Simulating ${simJobs.toLocaleString('en-US')} jobs on 1,000 machines × 8 slots (100 tenants, load 0.95, 20% with deadlines): wall time`);
{
  const big = { machines: 1000, slotsPerMachine: 8, racks: 10 };
  const jobs = generateWorkload({ seed: 11, cluster: big, jobs: simJobs, tenants: 100, load: 0.95, deadlineFraction: 0.2 });
  const table: (string | number)[][] = [];
  for (const name of ['fifo', 'drf', 'themis', 'edf', 'deadline-fair']) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const run = runSimulation({ cluster: big, policy: { name }, jobs, seed: 11, leaseSeconds: lease });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    table.push([name, r(seconds, 1), r((cpu.user + cpu.system) / 1e6, 1), run.stats.decisions, run.stats.allocations, run.stats.instants, r(run.result.summary.maxRho), r(run.result.summary.utilization)]);
  }
  process.stdout.write(`${formatTable(['policy', 'wall s', 'cpu s', 'decisions', 'allocations', 'event instants', 'maxRho', 'util'], table)}\n`);
}
