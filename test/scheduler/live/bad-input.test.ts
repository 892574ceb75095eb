/**
 * Bad input: every kind of bad submission or setting is a clear typed error,
 * and nothing is half-written; every limit is accepted at its value and
 * refused one past it.
 */
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMsMax,
  concurrencyMax,
  cronExpressionLengthMax,
  cronNameLengthMax,
  cronSchedulesMax,
  customIdLengthMax,
  dagJobsMax,
  dependenciesMax,
  errorMessageLengthMax,
  nameLengthMax,
  payloadBytesMax,
  payloadDepthMax,
  periodSecondsMax,
  priorityAbsMax,
  rateJobsMax,
  rateWindowMsMax,
  resultBytesMax,
  retriesMax,
  slotsMax,
  stallsMax,
  submitBatchMax,
  threadsMax,
  timeMsMax,
  transactionStepsMax,
  weightMax,
  workMax,
} from '../../../scheduler/live/index.js';
import { codeOf, errorOf, jobKeyCount, openDb } from './helpers.js';

/** A payload whose msgpack encoding is exactly `bytes` long (a binary of bytes - 5; bin32 header is 5 bytes). */
function payloadOf(bytes: number): Uint8Array {
  return new Uint8Array(bytes - 5);
}

describe('bad submissions', () => {
  it('refuses an unknown kind when the scheduler is configured with its kinds', () => {
    const { db } = openDb();
    db.scheduler.configure({ kinds: ['email', 'sms'] });
    const before = jobKeyCount(db);
    const error = errorOf(() => db.jobs.submit({ tenant: 't', kind: 'fax' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('unknown kind "fax"');
    expect(jobKeyCount(db)).toBe(before);
    expect(db.jobs.submit({ tenant: 't', kind: 'sms' })).toBe('1');
  });

  it('refuses cyclic dependencies in a batch, and a job depending on itself, writing nothing', () => {
    const { db } = openDb();
    const before = jobKeyCount(db);
    const cycle = errorOf(() =>
      db.jobs.submitMany([
        { tenant: 't', kind: 'k', id: 'a', dependsOn: ['c'] },
        { tenant: 't', kind: 'k', id: 'b', dependsOn: ['a'] },
        { tenant: 't', kind: 'k', id: 'c', dependsOn: ['b'] },
      ]),
    );
    expect(cycle.code).toBe('INVALID_ARGUMENT');
    expect(cycle.message).toMatch(/cyclic dependencies: (a → c → b → a|a → b → c → a|b → a → c → b|c → b → a → c)/);
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: 'self', dependsOn: ['self'] }))).toBe('INVALID_ARGUMENT');
    expect(jobKeyCount(db)).toBe(before);
    expect(db.query('SELECT COUNT(*) AS n FROM jobs')).toEqual([{ n: 0 }]);
    // The same graph without the back edge is fine, in any order.
    expect(db.jobs.submitMany([
      { tenant: 't', kind: 'k', id: 'c', dependsOn: ['b'] },
      { tenant: 't', kind: 'k', id: 'a' },
      { tenant: 't', kind: 'k', id: 'b', dependsOn: ['a'] },
    ])).toEqual(['c', 'a', 'b']);
    expect(db.jobs.get('c')?.state).toBe('waiting');
  });

  it('refuses a deadline in the past, or before runAt', () => {
    const { db, clock } = openDb();
    const now = clock.now();
    const past = errorOf(() => db.jobs.submit({ tenant: 't', kind: 'k', deadline: now - 1 }));
    expect(past.code).toBe('INVALID_ARGUMENT');
    expect(past.message).toContain('is in the past');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', deadline: now }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', deadline: now + 10, runAt: now + 20 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', deadline: new Date(NaN) }))).toBe('INVALID_ARGUMENT');
    expect(jobKeyCount(db)).toBe(0);
  });

  it('refuses payloads that cannot be stored as they are, naming the bad part', () => {
    const { db } = openDb();
    class Point {
      constructor(readonly x: number) {}
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < payloadDepthMax + 1; i++) deep = [deep];
    const cases: [unknown, string][] = [
      [{ run: () => 1 }, 'payload.run is a function'],
      [{ when: Symbol('x') }, 'payload.when is a symbol'],
      [{ p: new Point(1) }, 'payload.p is a Object (Point), not a plain object'],
      [{ m: new Map([[1, 2]]) }, 'payload.m is a Map'],
      [{ s: new Set([1]) }, 'payload.s is a Set'],
      [cyclic, 'payload.self is part of a cycle'],
      [deep, `nested more than ${payloadDepthMax} levels deep`],
    ];
    for (const [payload, message] of cases) {
      const error = errorOf(() => db.jobs.submit({ tenant: 't', kind: 'k', payload }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(message);
    }
    let ok: unknown = 1;
    for (let i = 0; i < payloadDepthMax - 1; i++) ok = [ok];
    const id = db.jobs.submit({ tenant: 't', kind: 'k', payload: { ok, when: new Date(5), bytes: new Uint8Array([1, 2]), big: 12n, nothing: null, __proto__x: 1 } });
    expect(db.jobs.get(id)?.payload).toEqual({ ok, when: new Date(5), bytes: Buffer.from([1, 2]), big: 12n, nothing: null, __proto__x: 1 });
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const hostileId = db.jobs.submit({ tenant: 't', kind: 'k', payload: hostile });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(db.jobs.get(hostileId)?.payload)).toBe(Object.prototype);
    expect(jobKeyCount(db)).toBe(2);
  });

  it('accepts a payload of payloadBytesMax and refuses one byte more with LIMIT', () => {
    const { db } = openDb();
    const id = db.jobs.submit({ tenant: 't', kind: 'k', payload: payloadOf(payloadBytesMax) });
    expect((db.jobs.get(id)?.payload as Uint8Array).length).toBe(payloadBytesMax - 5);
    const error = errorOf(() => db.jobs.submit({ tenant: 't', kind: 'k', payload: payloadOf(payloadBytesMax + 1) }));
    expect(error.code).toBe('LIMIT');
    expect(error.message).toContain(`payload size in bytes is ${payloadBytesMax + 1}, over the limit of ${payloadBytesMax}`);
    expect(jobKeyCount(db)).toBe(1);
  });

  it('reports every bad field of a submission at once, and unknown fields', () => {
    const { db } = openDb();
    const error = errorOf(() => db.jobs.submit({ tenant: '', kind: 'k', slots: 0, work: -1, priority: 1.5, retries: -1, onParentFailure: 'explode', tenantt: 'typo' } as never));
    expect(error.code).toBe('INVALID_ARGUMENT');
    for (const part of ['unknown field "tenantt"', 'tenant must be a non-empty string', 'slots must be', 'work must be', 'priority must be', 'retries must be', 'onParentFailure must be']) expect(error.message).toContain(part);
    expect(codeOf(() => db.jobs.submit(null as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', dependsOn: ['404'] }))).toBe('NOT_FOUND');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', dependsOn: ['no-such-job'] }))).toBe('NOT_FOUND');
  });

  it('refuses a dependency on a failed or cancelled job: it could never run', () => {
    const { db } = openDb();
    const parent = db.jobs.submit({ tenant: 't', kind: 'k' });
    db.jobs.cancel(parent);
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', dependsOn: [parent] }))).toBe('CONFLICT');
  });
});

describe('limits, at the limit and one past it', () => {
  it('retries, backoff delay, dependencies, cron expression and names', () => {
    const { db, clock } = openDb();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', retries: retriesMax }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', retries: retriesMax + 1 }))).toBe('LIMIT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', backoff: { type: 'fixed', delay: backoffDelayMsMax } }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', backoff: { type: 'fixed', delay: backoffDelayMsMax + 1 } }))).toBe('LIMIT');
    const parents = db.jobs.submitMany(Array.from({ length: dependenciesMax + 1 }, () => ({ tenant: 't', kind: 'k' })));
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', dependsOn: parents.slice(0, dependenciesMax) }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', dependsOn: parents }))).toBe('LIMIT');
    const atLimit = '0' + ' '.repeat(cronExpressionLengthMax - 8) + '0 * * *';
    expect(atLimit.length).toBe(cronExpressionLengthMax);
    expect(db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: atLimit, name: 'n'.repeat(cronNameLengthMax) } })).toBe(`cron:${'n'.repeat(cronNameLengthMax)}`);
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: ` ${atLimit}` }))).toBe('LIMIT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: '* * * * *', name: 'n'.repeat(cronNameLengthMax + 1) } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: 'every day at noon' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: '* * * * *', tz: 'Mars/Olympus' } }))).toBe('INVALID_ARGUMENT');
    for (const [field, max] of [['tenant', nameLengthMax], ['kind', nameLengthMax]] as const) {
      expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', [field]: 'x'.repeat(max) }))).toBeUndefined();
      expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', [field]: 'x'.repeat(max + 1) }))).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: 'i'.repeat(customIdLengthMax) }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: 'j'.repeat(customIdLengthMax + 1) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', work: workMax, priority: priorityAbsMax, weight: weightMax, runAt: timeMsMax }))).toBeUndefined();
    for (const bad of [{ work: workMax * 2 }, { priority: priorityAbsMax + 1 }, { weight: weightMax * 2 }, { runAt: timeMsMax + 1 }]) {
      expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', ...bad }))).toBe('INVALID_ARGUMENT');
    }
    void clock;
  });

  it('jobs per batch, and the size of a dependency graph', () => {
    const { db } = openDb();
    const specs = Array.from({ length: submitBatchMax }, () => ({ tenant: 't', kind: 'k' }));
    expect(db.jobs.submitMany(specs).length).toBe(submitBatchMax);
    expect(codeOf(() => db.jobs.submitMany([...specs, { tenant: 't', kind: 'k' }]))).toBe('LIMIT');
    // A chain: the last job sees dagJobsMax - 1 unfinished ancestors.
    const chain = Array.from({ length: dagJobsMax }, (_, i) => ({ tenant: 't', kind: 'chain', id: `c${i}`, ...(i > 0 ? { dependsOn: [`c${i - 1}`] } : {}) }));
    expect(db.jobs.submitMany(chain).length).toBe(dagJobsMax);
    const error = errorOf(() => db.jobs.submit({ tenant: 't', kind: 'chain', dependsOn: [`c${dagJobsMax - 1}`] }));
    expect(error.code).toBe('LIMIT');
    expect(error.message).toContain(`unfinished jobs in a dependency graph is ${dagJobsMax + 1}`);
  });

  it('cron schedules', () => {
    const { db } = openDb();
    for (let i = 0; i < cronSchedulesMax; i++) db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: '0 0 * * *', name: `s${i}` } });
    expect(db.jobs.schedules().length).toBe(cronSchedulesMax);
    // Replacing one is fine; one more is not.
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: '0 1 * * *', name: 's0' } }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', cron: { pattern: '0 0 * * *', name: 'one-more' } }))).toBe('LIMIT');
  });

  it('worker concurrency and threads, pool slots, stallsMax, tenants and periods', () => {
    const { db } = openDb();
    expect(codeOf(() => db.worker('k', () => undefined, { concurrency: concurrencyMax }))).toBeUndefined();
    expect(codeOf(() => db.worker('k', () => undefined, { concurrency: concurrencyMax + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.worker('k', 'handler.mjs', { threads: threadsMax + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.worker('k', () => undefined, { speed: 2 } as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.worker('k', 'not a function'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ slots: slotsMax, stallsMax, periodSeconds: periodSecondsMax }))).toBeUndefined();
    expect(codeOf(() => db.scheduler.configure({ slots: slotsMax + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ stallsMax: stallsMax + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ periodSeconds: periodSecondsMax * 2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ tenants: { a: { rateLimit: { jobs: rateJobsMax, perMs: rateWindowMsMax } } } }))).toBeUndefined();
    expect(codeOf(() => db.scheduler.configure({ tenants: { a: { rateLimit: { jobs: rateJobsMax + 1, perMs: 1000 } } } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ tenants: { a: { rateLimit: { jobs: 1, perMs: rateWindowMsMax + 1 } } } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ tenants: { a: { weight: weightMax + 1 } } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ policy: 'round-robin' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.scheduler.configure({ policy: { name: 'themis', f: 2 } }))).toBe('INVALID_ARGUMENT');
    // Every violation at once.
    const error = errorOf(() => db.scheduler.configure({ slots: 0, stallsMax: 0, seed: 0.5 }));
    for (const part of ['slots must be', 'stallsMax must be', 'seed must be']) expect(error.message).toContain(part);
    // A job needing more slots than the pool has is refused.
    db.scheduler.configure({ slots: 4 });
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', slots: 4 }))).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', slots: 5 }))).toBe('INVALID_ARGUMENT');
  });

  it('handler results, error messages and ctx.transaction steps', async () => {
    const { db } = openDb();
    db.worker('big', (ctx) => new Uint8Array((ctx.job.payload as number) - 5));
    db.worker('angry', () => {
      throw new Error('x'.repeat(errorMessageLengthMax * 2));
    });
    let stepError: unknown;
    db.worker('steps', async (ctx) => {
      for (let i = 0; i < transactionStepsMax; i++) await ctx.transaction(() => i);
      try {
        await ctx.transaction(() => 'one more');
      } catch (error) {
        stepError = error;
      }
    });
    const ok = db.jobs.submit({ tenant: 't', kind: 'big', payload: resultBytesMax });
    const over = db.jobs.submit({ tenant: 't', kind: 'big', payload: resultBytesMax + 1 });
    const angry = db.jobs.submit({ tenant: 't', kind: 'angry' });
    const stepsDone = new Promise<void>((resolve) => db.jobs.on('completed', (e) => e.id === steps && resolve()));
    const steps = db.jobs.submit({ tenant: 't', kind: 'steps' });
    await stepsDone;
    await db.scheduler.idle();
    expect(db.jobs.get(ok)?.state).toBe('succeeded');
    expect(db.jobs.get(over)).toMatchObject({ state: 'failed', endCause: 'result' });
    expect(db.jobs.get(over)?.error).toContain(`the handler result size in bytes is ${resultBytesMax + 1}`);
    expect(db.jobs.get(angry)?.error?.length).toBe(errorMessageLengthMax);
    expect(db.jobs.get(steps)?.state).toBe('succeeded');
    expect((stepError as { code?: string }).code).toBe('LIMIT');
  }, 30_000);
});
