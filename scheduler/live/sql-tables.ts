/**
 * The job system as SQL tables (read-only virtual tables over the job
 * records, read through the statement's consistent reader):
 *
 * - `jobs`: one row per job kept, active or finished
 *   (`SELECT * FROM jobs WHERE tenant = ? AND state = 'queued'`); `state` is
 *   the public state (`delayed` for a queued job whose run_at is still
 *   ahead); `payload` and `result` are JSON text;
 * - `job_dependencies`: one row per (job, parent) edge;
 * - `job_schedules`: the cron schedules.
 *
 * Times are TIMESTAMP columns (epoch ms). The tables need no live scheduler:
 * they read the stored records, so they work before any job call, too.
 */
import type { RawReader } from '../../storage/kv/index.js';
import type { SqlEngine } from '../../query/index.js';
import { checkJobRecord, decodeCron, readHeader, readMeta, readPayload, readTail } from './job-format.js';
import { activePrefix, cronNameOfKey, cronPrefix, finishedPrefix, prefixEnd, seqOfRecordKey } from './job-keys.js';
import { publicState } from './live-scheduler.js';
import { createPackr } from './payload.js';

type ColumnType = 'INTEGER' | 'REAL' | 'TEXT' | 'TIMESTAMP';

const jobColumns: readonly { name: string; type: ColumnType }[] = [
  { name: 'id', type: 'TEXT' },
  { name: 'seq', type: 'INTEGER' },
  { name: 'tenant', type: 'TEXT' },
  { name: 'kind', type: 'TEXT' },
  { name: 'state', type: 'TEXT' },
  { name: 'priority', type: 'INTEGER' },
  { name: 'slots', type: 'INTEGER' },
  { name: 'work', type: 'REAL' },
  { name: 'weight', type: 'REAL' },
  { name: 'attempts', type: 'INTEGER' },
  { name: 'retries', type: 'INTEGER' },
  { name: 'stalls', type: 'INTEGER' },
  { name: 'epoch', type: 'INTEGER' },
  { name: 'progress', type: 'REAL' },
  { name: 'submitted_at', type: 'TIMESTAMP' },
  { name: 'run_at', type: 'TIMESTAMP' },
  { name: 'deadline', type: 'TIMESTAMP' },
  { name: 'started_at', type: 'TIMESTAMP' },
  { name: 'finished_at', type: 'TIMESTAMP' },
  { name: 'lease_until', type: 'TIMESTAMP' },
  { name: 'admission', type: 'TEXT' },
  { name: 'predicted_finish', type: 'TIMESTAMP' },
  { name: 'cron', type: 'TEXT' },
  { name: 'end_cause', type: 'TEXT' },
  { name: 'error', type: 'TEXT' },
  { name: 'payload', type: 'TEXT' },
  { name: 'result', type: 'TEXT' },
];

function nullable(ms: number): number | null {
  return Number.isNaN(ms) ? null : ms;
}

function json(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? null;
  } catch {
    return null;
  }
}

/** Visits every job record (active, then finished) through `reader`. */
function eachRecord(reader: RawReader, visit: (seq: number, bytes: Uint8Array) => void): void {
  for (const prefix of [activePrefix, finishedPrefix]) {
    reader.scanRaw({ start: prefix, end: prefixEnd(prefix) }, (key, buffer, offset, length) => {
      const bytes = buffer.subarray(offset, offset + length);
      const seq = seqOfRecordKey(key);
      checkJobRecord(bytes, `job record ${seq}`);
      visit(seq, bytes);
    });
  }
}

/** Registers `jobs`, `job_dependencies` and `job_schedules`; `nowMs` tells which queued jobs are delayed. */
export function registerJobTables(sql: SqlEngine, nowMs: () => number): void {
  const packr = createPackr();
  sql.registerVirtualTable('jobs', {
    columns: jobColumns,
    scan(reader: RawReader): Iterable<readonly unknown[]> {
      const rows: unknown[][] = [];
      const now = nowMs();
      eachRecord(reader, (seq, bytes) => {
        const where = `job record ${seq}`;
        const h = readHeader(bytes);
        const meta = readMeta(packr, bytes, where);
        const tail = readTail(packr, bytes, where);
        rows.push([
          meta.customId ?? String(seq),
          seq,
          meta.tenant,
          meta.kind,
          publicState(h.state, h.runAt, now),
          h.priority,
          h.slots,
          h.work,
          Number.isNaN(h.weight) ? null : h.weight,
          h.attempts,
          h.retries,
          h.stalls,
          h.epoch,
          h.progress,
          h.submittedAt,
          nullable(h.runAt),
          nullable(h.deadline),
          nullable(h.startedAt),
          nullable(h.finishedAt),
          h.state === 'running' ? nullable(h.leaseUntil) : null,
          h.admission === 'none' ? null : h.admission,
          h.admission === 'none' ? null : nullable(h.predictedFinish),
          meta.cron ?? null,
          h.endCause === 'none' ? null : h.endCause,
          tail.error ?? null,
          json(readPayload(packr, bytes, where)),
          json(tail.result),
        ]);
      });
      return rows;
    },
  });
  sql.registerVirtualTable('job_dependencies', {
    columns: [
      { name: 'job', type: 'TEXT' },
      { name: 'depends_on', type: 'TEXT' },
    ],
    scan(reader: RawReader): Iterable<readonly unknown[]> {
      const rows: unknown[][] = [];
      eachRecord(reader, (seq, bytes) => {
        const meta = readMeta(packr, bytes, `job record ${seq}`);
        const id = meta.customId ?? String(seq);
        meta.dependsOn.forEach((parent, i) => rows.push([id, meta.dependsOnIds?.[i] ?? String(parent)]));
      });
      return rows;
    },
  });
  sql.registerVirtualTable('job_schedules', {
    columns: [
      { name: 'id', type: 'TEXT' },
      { name: 'name', type: 'TEXT' },
      { name: 'pattern', type: 'TEXT' },
      { name: 'tz', type: 'TEXT' },
      { name: 'tenant', type: 'TEXT' },
      { name: 'kind', type: 'TEXT' },
      { name: 'next_fire', type: 'TIMESTAMP' },
      { name: 'last_fired', type: 'TIMESTAMP' },
      { name: 'fired', type: 'INTEGER' },
      { name: 'skipped', type: 'INTEGER' },
    ],
    scan(reader: RawReader): Iterable<readonly unknown[]> {
      const rows: unknown[][] = [];
      reader.scanRaw({ start: cronPrefix, end: prefixEnd(cronPrefix) }, (key, buffer, offset, length) => {
        const name = cronNameOfKey(key);
        const c = decodeCron(packr, buffer.subarray(offset, offset + length), `cron schedule ${name}`);
        rows.push([`cron:${c.name}`, c.name, c.expression, c.timeZone ?? null, c.template.tenant, c.template.kind, c.nextFireMs, nullable(c.lastFiredMs), c.fired, c.skipped]);
      });
      return rows;
    },
  });
}
