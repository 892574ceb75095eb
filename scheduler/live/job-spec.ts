/**
 * Validation of job submissions: a `SubmitSpec` becomes a `ResolvedSpec`
 * with every default resolved and the payload encoded, or the call throws
 * before anything is written: INVALID_ARGUMENT listing every bad field, or
 * LIMIT for the first size or count over its limit.
 */
import type { Packr } from 'msgpackr';
import { InvalidArgumentError, LimitError, OptionsViolations } from '../../storage/device/index.js';
import type { BackoffKind } from './job-format.js';
import {
  backoffDelayMsMax,
  cronExpressionLengthMax,
  cronNameLengthMax,
  customIdLengthMax,
  dependenciesMax,
  nameLengthMax,
  payloadBytesMax,
  priorityAbsMax,
  retriesMax,
  timeMsMax,
  timeZoneLengthMax,
  weightMax,
  workDefault,
  workMax,
} from './limits.js';
import { encodeStorable } from './payload.js';
import type { SubmitSpec } from './types.js';

/** A validated submission. Times are epoch ms, NaN when absent. */
export interface ResolvedSpec {
  readonly tenant: string;
  readonly kind: string;
  readonly payload: Uint8Array;
  readonly slots: number;
  readonly work: number;
  readonly priority: number;
  /** NaN when not given. */
  readonly weight: number;
  readonly runAt: number;
  readonly deadline: number;
  readonly retries: number;
  readonly backoff: BackoffKind;
  readonly backoffDelay: number;
  readonly dependsOn: readonly string[];
  readonly cancelOnParentFailure: boolean;
  readonly cron: { readonly expression: string; readonly timeZone: string | undefined; readonly name: string } | undefined;
  readonly customId: string | undefined;
}

export interface SpecContext {
  readonly nowMs: number;
  /** Slots of the pool: a job cannot ask for more. */
  readonly poolSlots: number;
  /** The allowed kinds, when configured strictly. */
  readonly kinds: ReadonlySet<string> | undefined;
  readonly packr: Packr;
}

const knownFields = new Set(['tenant', 'kind', 'payload', 'slots', 'work', 'priority', 'weight', 'deadline', 'runAt', 'retries', 'backoff', 'dependsOn', 'onParentFailure', 'cron', 'id']);
const generatedIdPattern = /^[1-9][0-9]{0,15}$/;

/** Whether `id` has the form of a generated id (a positive decimal integer). */
export function isGeneratedId(id: string): boolean {
  return generatedIdPattern.test(id) && Number.isSafeInteger(Number(id));
}

/** Problems of a caller-chosen id, or undefined. */
export function customIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'id must be a non-empty string';
  if (id.length > customIdLengthMax) return `id is ${id.length} characters, over the limit of ${customIdLengthMax}`;
  if (/^[0-9]+$/.test(id)) return `id ${JSON.stringify(id)} is all digits, which generated ids are`;
  if (id.startsWith('cron:')) return `id ${JSON.stringify(id)} starts with 'cron:', which names schedules`;
  return undefined;
}

function nameProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `${what} must be a non-empty string`;
  if (value.length > nameLengthMax) return `${what} is ${value.length} characters, over the limit of ${nameLengthMax}`;
  return undefined;
}

/** An epoch-ms time from a number or a Date; NaN when `value` is undefined; undefined when invalid. */
export function timeMs(value: unknown): number | undefined {
  if (value === undefined) return NaN;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > timeMsMax) return undefined;
  return ms;
}

/**
 * Validates a submission; throws INVALID_ARGUMENT or LIMIT. Messages are
 * built only for the checks that fail (this runs for every job submitted).
 */
export function resolveSpec(spec: SubmitSpec, ctx: SpecContext): ResolvedSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new InvalidArgumentError('a job must be an object');
  const v = new OptionsViolations('job');
  for (const key of Object.keys(spec)) if (!knownFields.has(key)) v.check(false, `unknown field ${JSON.stringify(key)}`);
  const tenantProblem = nameProblem(spec.tenant, 'tenant');
  v.check(tenantProblem === undefined, tenantProblem ?? '');
  const kindProblem = nameProblem(spec.kind, 'kind');
  v.check(kindProblem === undefined, kindProblem ?? '');
  if (kindProblem === undefined && ctx.kinds !== undefined) {
    if (!ctx.kinds.has(spec.kind)) v.check(false, `unknown kind ${JSON.stringify(spec.kind)} (the scheduler is configured with kinds: ${[...ctx.kinds].join(', ')})`);
  }
  const slots = spec.slots ?? 1;
  if (!(Number.isSafeInteger(slots) && slots >= 1 && slots <= ctx.poolSlots)) v.check(false, `slots must be an integer in 1..${ctx.poolSlots} (the pool's slots), got ${String(spec.slots)}`);
  const work = spec.work ?? workDefault;
  if (!(typeof work === 'number' && Number.isFinite(work) && work > 0 && work <= workMax)) v.check(false, `work must be a number of slot-seconds in (0, ${workMax}], got ${String(spec.work)}`);
  const priority = spec.priority ?? 0;
  if (!(Number.isSafeInteger(priority) && Math.abs(priority) <= priorityAbsMax)) v.check(false, `priority must be an integer in -${priorityAbsMax}..${priorityAbsMax}, got ${String(spec.priority)}`);
  const weight = spec.weight ?? NaN;
  if (!(spec.weight === undefined || (typeof weight === 'number' && Number.isFinite(weight) && weight > 0 && weight <= weightMax))) v.check(false, `weight must be a number in (0, ${weightMax}], got ${String(spec.weight)}`);
  const runAt = timeMs(spec.runAt);
  if (runAt === undefined) v.check(false, `runAt must be an epoch-ms time in 0..${timeMsMax} or a valid Date, got ${String(spec.runAt)}`);
  const deadline = timeMs(spec.deadline);
  if (deadline === undefined) v.check(false, `deadline must be an epoch-ms time in 0..${timeMsMax} or a valid Date, got ${String(spec.deadline)}`);
  if (deadline !== undefined && !Number.isNaN(deadline)) {
    if (!(deadline > ctx.nowMs)) v.check(false, `deadline ${new Date(deadline).toISOString()} is in the past (now is ${new Date(ctx.nowMs).toISOString()})`);
    if (runAt !== undefined && !Number.isNaN(runAt) && !(deadline > runAt)) v.check(false, `deadline ${deadline} must be after runAt ${runAt}`);
  }
  const retries = spec.retries ?? 0;
  if (!(Number.isSafeInteger(retries) && retries >= 0)) v.check(false, `retries must be a non-negative integer, got ${String(spec.retries)}`);
  let backoff: BackoffKind = 'none';
  let backoffDelay = 0;
  if (spec.backoff !== undefined) {
    const b = spec.backoff as { type?: unknown; delay?: unknown } | null;
    if (typeof b !== 'object' || b === null) v.check(false, 'backoff must be { type, delay }');
    else {
      if (!(b.type === 'exponential' || b.type === 'fixed')) v.check(false, `backoff.type must be 'exponential' or 'fixed', got ${String(b.type)}`);
      if (!(typeof b.delay === 'number' && Number.isFinite(b.delay) && b.delay >= 0)) v.check(false, `backoff.delay must be a non-negative number of ms, got ${String(b.delay)}`);
      if (b.type === 'exponential' || b.type === 'fixed') backoff = b.type;
      if (typeof b.delay === 'number') backoffDelay = b.delay;
      for (const key of Object.keys(b)) if (!(key === 'type' || key === 'delay')) v.check(false, `unknown backoff field ${JSON.stringify(key)}`);
    }
  }
  const dependsOn: string[] = [];
  if (spec.dependsOn !== undefined) {
    if (!Array.isArray(spec.dependsOn)) v.check(false, 'dependsOn must be an array of job ids');
    else {
      const seen = new Set<string>();
      for (const id of spec.dependsOn as unknown[]) {
        if (typeof id !== 'string' || id.length === 0 || id.length > customIdLengthMax) {
          v.check(false, `dependsOn holds ${JSON.stringify(id)}, not a job id`);
          continue;
        }
        if (seen.has(id)) v.check(false, `dependsOn lists ${JSON.stringify(id)} twice`);
        seen.add(id);
        dependsOn.push(id);
      }
    }
  }
  const onParentFailure = spec.onParentFailure ?? 'fail';
  if (!(onParentFailure === 'fail' || onParentFailure === 'cancel')) v.check(false, `onParentFailure must be 'fail' or 'cancel', got ${String(spec.onParentFailure)}`);
  let cron: ResolvedSpec['cron'];
  if (spec.cron !== undefined) {
    const c = typeof spec.cron === 'string' ? { pattern: spec.cron } : (spec.cron as { pattern?: unknown; tz?: unknown; name?: unknown } | null);
    if (typeof c !== 'object' || c === null || typeof c.pattern !== 'string' || c.pattern.trim().length === 0) v.check(false, 'cron must be a cron expression or { pattern, tz?, name? }');
    else {
      if (c.pattern.length > cronExpressionLengthMax) throw new LimitError('cron expression length', cronExpressionLengthMax, c.pattern.length);
      if (!(c.tz === undefined || (typeof c.tz === 'string' && c.tz.length > 0 && c.tz.length <= timeZoneLengthMax))) v.check(false, `cron.tz must be an IANA time zone name of at most ${timeZoneLengthMax} characters`);
      const name = c.name ?? spec.kind;
      if (!(typeof name === 'string' && name.length > 0 && name.length <= cronNameLengthMax)) v.check(false, `cron.name must be a string of 1..${cronNameLengthMax} characters`);
      for (const key of Object.keys(c)) if (!(key === 'pattern' || key === 'tz' || key === 'name')) v.check(false, `unknown cron field ${JSON.stringify(key)}`);
      cron = { expression: c.pattern, timeZone: c.tz as string | undefined, name: String(name) };
    }
    v.check(spec.deadline === undefined && spec.runAt === undefined && spec.dependsOn === undefined && spec.id === undefined, 'a cron job takes no deadline, runAt, dependsOn or id (each fire is a new job)');
  }
  if (spec.id !== undefined) {
    const problem = customIdProblem(spec.id);
    v.check(problem === undefined, problem ?? '');
  }
  v.throwIfAny();
  if (retries > retriesMax) throw new LimitError('retries', retriesMax, retries);
  if (backoffDelay > backoffDelayMsMax) throw new LimitError('backoff delay in ms', backoffDelayMsMax, backoffDelay);
  if (dependsOn.length > dependenciesMax) throw new LimitError('dependencies of a job', dependenciesMax, dependsOn.length);
  const payload = encodeStorable(ctx.packr, spec.payload ?? null, 'payload', payloadBytesMax);
  return {
    tenant: spec.tenant,
    kind: spec.kind,
    payload,
    slots,
    work,
    priority,
    weight,
    runAt: runAt as number,
    deadline: deadline as number,
    retries,
    backoff,
    backoffDelay,
    dependsOn,
    cancelOnParentFailure: onParentFailure === 'cancel',
    cron,
    customId: spec.id,
  };
}
