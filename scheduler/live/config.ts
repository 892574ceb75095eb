/**
 * The scheduler's configuration (`db.scheduler.configure`): validated in
 * full, every violation reported at once, defaults resolved once, frozen.
 * The slot pool becomes a cluster for the mechanism (`poolCluster`).
 */
import { InvalidArgumentError, OptionsViolations } from '../../storage/device/index.js';
import { resolveCluster, type Cluster } from '../model.js';
import { createPolicy, type PolicySpec } from '../policies/registry.js';
import type { Policy } from '../policies/policy.js';
import {
  configuredTenantsMax,
  nameLengthMax,
  periodSecondsDefault,
  periodSecondsMax,
  rateJobsMax,
  rateWindowMsMax,
  slotsDefault,
  slotsMax,
  stallsDefault,
  stallsMax,
  weightMax,
} from './limits.js';
import type { SchedulerConfig } from './types.js';

export interface ResolvedTenant {
  readonly weight: number | undefined;
  readonly rateLimit: { readonly jobs: number; readonly perMs: number } | undefined;
}

export interface ResolvedConfig {
  readonly policySpec: PolicySpec;
  readonly policy: Policy;
  readonly slots: number;
  readonly cluster: Cluster;
  readonly tenants: ReadonlyMap<string, ResolvedTenant>;
  readonly periodSeconds: number;
  readonly kinds: ReadonlySet<string> | undefined;
  readonly stallsMax: number;
  readonly seed: number;
}

/** Largest machine size the pool is cut into (see `poolCluster`). */
const poolMachineSlotsMax = 16;

/**
 * The cluster the mechanism schedules a pool of `slots` on: machines of the
 * largest divisor of `slots` up to 16 slots each. Live jobs have no
 * placement (a job's slots are a count, not places), so the shape only
 * keeps the policies' per-decision work small; `simulate` on the same
 * cluster reproduces the live decisions.
 */
export function poolCluster(slots: number): Cluster {
  let perMachine = 1;
  for (let d = Math.min(poolMachineSlotsMax, slots); d >= 1; d--) {
    if (slots % d === 0) {
      perMachine = d;
      break;
    }
  }
  return resolveCluster({ machines: slots / perMachine, slotsPerMachine: perMachine });
}

export function resolveConfig(config: SchedulerConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw new InvalidArgumentError('scheduler configuration must be an object');
  const v = new OptionsViolations('scheduler configuration');
  const known = new Set(['policy', 'slots', 'tenants', 'periodSeconds', 'kinds', 'stallsMax', 'seed']);
  for (const key of Object.keys(config)) v.check(known.has(key), `unknown field ${JSON.stringify(key)}`);
  const policySpec: PolicySpec = typeof config.policy === 'string' ? { name: config.policy } : (config.policy ?? { name: 'fifo' });
  v.check(typeof policySpec === 'object' && policySpec !== null, 'policy must be a name or { name, ...params }');
  const slots = config.slots ?? slotsDefault;
  v.check(Number.isSafeInteger(slots) && slots >= 1 && slots <= slotsMax, `slots must be an integer in 1..${slotsMax}, got ${String(config.slots)}`);
  const periodSeconds = config.periodSeconds ?? periodSecondsDefault;
  v.check(typeof periodSeconds === 'number' && Number.isFinite(periodSeconds) && periodSeconds > 0 && periodSeconds <= periodSecondsMax, `periodSeconds must be in (0, ${periodSecondsMax}], got ${String(config.periodSeconds)}`);
  const stalls = config.stallsMax ?? stallsDefault;
  v.check(Number.isSafeInteger(stalls) && stalls >= 1 && stalls <= stallsMax, `stallsMax must be an integer in 1..${stallsMax}, got ${String(config.stallsMax)}`);
  const seed = config.seed ?? 1;
  v.check(Number.isSafeInteger(seed), `seed must be a safe integer, got ${String(config.seed)}`);
  let kinds: Set<string> | undefined;
  if (config.kinds !== undefined) {
    if (!Array.isArray(config.kinds)) v.check(false, 'kinds must be an array of kind names');
    else {
      kinds = new Set();
      for (const k of config.kinds as unknown[]) {
        v.check(typeof k === 'string' && k.length > 0 && k.length <= nameLengthMax, `kinds holds ${JSON.stringify(k)}, not a kind name`);
        if (typeof k === 'string') kinds.add(k);
      }
    }
  }
  const tenants = new Map<string, ResolvedTenant>();
  if (config.tenants !== undefined) {
    if (typeof config.tenants !== 'object' || config.tenants === null) v.check(false, 'tenants must be an object of tenant settings');
    else {
      const names = Object.keys(config.tenants);
      v.check(names.length <= configuredTenantsMax, `tenants lists ${names.length} tenants, over the limit of ${configuredTenantsMax}`);
      for (const name of names.slice(0, configuredTenantsMax)) {
        const t = (config.tenants as Record<string, unknown>)[name] as { weight?: unknown; rateLimit?: { jobs?: unknown; perMs?: unknown } } | null;
        if (typeof t !== 'object' || t === null) {
          v.check(false, `tenants.${name} must be { weight?, rateLimit? }`);
          continue;
        }
        for (const key of Object.keys(t)) v.check(key === 'weight' || key === 'rateLimit', `tenants.${name}: unknown field ${JSON.stringify(key)}`);
        const weight = t.weight;
        v.check(weight === undefined || (typeof weight === 'number' && Number.isFinite(weight) && weight > 0 && weight <= weightMax), `tenants.${name}.weight must be in (0, ${weightMax}], got ${String(weight)}`);
        let rateLimit: ResolvedTenant['rateLimit'];
        if (t.rateLimit !== undefined) {
          const r = t.rateLimit;
          const ok =
            typeof r === 'object' && r !== null &&
            Number.isSafeInteger(r.jobs) && (r.jobs as number) >= 1 && (r.jobs as number) <= rateJobsMax &&
            typeof r.perMs === 'number' && Number.isFinite(r.perMs) && r.perMs >= 1 && r.perMs <= rateWindowMsMax;
          v.check(ok, `tenants.${name}.rateLimit must be { jobs: 1..${rateJobsMax}, perMs: 1..${rateWindowMsMax} }`);
          if (ok) rateLimit = { jobs: r.jobs as number, perMs: r.perMs as number };
        }
        tenants.set(name, { weight: weight as number | undefined, rateLimit });
      }
    }
  }
  v.throwIfAny();
  const created = createPolicy(policySpec);
  if (created._tag === 'Left') throw created.left;
  return Object.freeze({ policySpec, policy: created.right, slots, cluster: poolCluster(slots), tenants, periodSeconds, kinds, stallsMax: stalls, seed });
}
