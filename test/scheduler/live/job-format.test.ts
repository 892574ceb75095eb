/**
 * The job system's byte formats: round trips, validation of bytes read back
 * (never asserted: CORRUPTION), key order, and header edits that leave the
 * source untouched.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../storage/device/index.js';
import {
  checkJobRecord,
  decodeCron,
  decodeMemo,
  decodeMeta,
  encodeCron,
  encodeJobRecord,
  encodeMemo,
  encodeMeta,
  encodeMetaBytes,
  encodeTail,
  jobHeaderBytes,
  Off,
  readHeader,
  readMeta,
  readPayload,
  readTail,
  RecordEditor,
  type JobHeader,
} from '../../../scheduler/live/job-format.js';
import { activeKey, finishedKey, memoKey, memoRange, readSeq, seqBytes, seqOfRecordKey } from '../../../scheduler/live/job-keys.js';
import { createPackr } from '../../../scheduler/live/index.js';

const header: JobHeader = {
  state: 'running',
  epoch: 7,
  attempts: 2,
  stalls: 1,
  retries: 5,
  backoff: 'exponential',
  flags: 1,
  slots: 3,
  priority: -4,
  seq: 123456789012,
  work: 2.5,
  weight: NaN,
  backoffDelay: 250,
  submittedAt: 1_700_000_000_000,
  runAt: NaN,
  deadline: 1_700_000_100_000,
  startedAt: 1_700_000_000_500,
  finishedAt: NaN,
  leaseUntil: 1_700_000_030_500,
  progress: 0.5,
  predictedFinish: 1_700_000_050_000,
  admission: 'at-risk',
  endCause: 'none',
};

describe('job record format', () => {
  it('round-trips header, meta, payload and tail', () => {
    const packr = createPackr();
    const meta = { tenant: 'acme', kind: 'train', dependsOn: [3, 4], dependsOnIds: ['three', '4'], cron: undefined, customId: 'my-job' };
    const payload = new Uint8Array(packr.pack({ lr: 0.1, tags: ['a'] }));
    const result = new Uint8Array(packr.pack({ loss: 0.02 }));
    const bytes = encodeJobRecord(header, encodeMetaBytes(packr, meta), payload, encodeTail(packr, { error: 'e', result, endedBy: 'p' }));
    checkJobRecord(bytes, 'test');
    expect(readHeader(bytes)).toEqual(header);
    expect(readMeta(packr, bytes, 'test')).toEqual(meta);
    expect(readPayload(packr, bytes, 'test')).toEqual({ lr: 0.1, tags: ['a'] });
    expect(readTail(packr, bytes, 'test')).toEqual({ error: 'e', result: { loss: 0.02 }, endedBy: 'p' });
    const plain = encodeJobRecord(header, encodeMetaBytes(packr, { ...meta, dependsOn: [], dependsOnIds: undefined, customId: undefined }), payload, undefined);
    expect(readTail(packr, plain, 'test')).toEqual({ error: undefined, result: undefined, endedBy: undefined });
  });

  it('edits a copy of the header and replaces the tail, leaving the source as it was', () => {
    const packr = createPackr();
    const source = encodeJobRecord(header, encodeMetaBytes(packr, { tenant: 't', kind: 'k', dependsOn: [], dependsOnIds: undefined, cron: undefined, customId: undefined }), new Uint8Array([0xc0]), encodeTail(packr, { error: 'old' }));
    const before = Buffer.from(source);
    const editor = new RecordEditor();
    const edited = editor.copy(source, null).state('succeeded').epoch(8).attempts(3).stalls(0).finishedAt(5).progress(1).endCause('none').bytes;
    expect(Buffer.from(source)).toEqual(before);
    expect(readHeader(edited)).toMatchObject({ state: 'succeeded', epoch: 8, attempts: 3, stalls: 0, finishedAt: 5, progress: 1 });
    expect(readTail(packr, edited, 'test').error).toBeUndefined();
    expect(readPayload(packr, edited, 'test')).toBeNull();
  });

  it('reports CORRUPTION for damaged records, never an assertion', () => {
    const packr = createPackr();
    const good = encodeJobRecord(header, encodeMetaBytes(packr, { tenant: 't', kind: 'k', dependsOn: [], dependsOnIds: undefined, cron: undefined, customId: undefined }), new Uint8Array([0xc0]), undefined);
    const damaged = (edit: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      edit(b);
      return b;
    };
    const cases = [
      good.subarray(0, jobHeaderBytes - 1),
      damaged((b) => (b[Off.magic] = 0)),
      damaged((b) => (b[Off.version] = 9)),
      damaged((b) => (b[Off.state] = 99)),
      damaged((b) => (b[Off.backoff] = 7)),
      damaged((b) => (b[Off.admission] = 9)),
      damaged((b) => (b[Off.endCause] = 200)),
      damaged((b) => new DataView(b.buffer, b.byteOffset).setUint32(Off.metaLength, 1 << 30, true)),
    ];
    for (const bytes of cases) {
      let code: string | undefined;
      try {
        checkJobRecord(bytes, 'test');
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).toBe('CORRUPTION');
    }
    // A meta that is not a map with a tenant and a kind.
    const badMeta = encodeJobRecord(header, new Uint8Array(packr.pack([1, 2])), new Uint8Array([0xc0]), undefined);
    checkJobRecord(badMeta, 'test');
    expect(() => readMeta(packr, badMeta, 'test')).toThrow(/CORRUPTION|tenant and a kind/);
  });

  it('round-trips and validates meta, cron and memo records', () => {
    const packr = createPackr();
    expect(decodeMeta(encodeMeta({ seqFloor: 42, clockFloorMs: 1.5e12 }), 'test')).toEqual({ seqFloor: 42, clockFloorMs: 1.5e12 });
    expect(() => decodeMeta(new Uint8Array(24), 'test')).toThrow();
    const cron = {
      name: 'nightly',
      expression: '0 3 * * *',
      timeZone: 'Europe/Paris',
      template: { tenant: 't', kind: 'k', payload: new Uint8Array([1, 2]), slots: 1, work: 1, priority: 0, weight: NaN, retries: 2, backoff: 'fixed' as const, backoffDelay: 10 },
      nextFireMs: 100,
      lastFiredMs: NaN,
      fired: 3,
      skipped: 1,
    };
    const decoded = decodeCron(packr, encodeCron(packr, cron), 'test');
    expect({ ...decoded, template: { ...decoded.template, payload: [...decoded.template.payload] } }).toEqual({ ...cron, template: { ...cron.template, payload: [1, 2] } });
    expect(() => decodeCron(packr, new Uint8Array(10), 'test')).toThrow();
    expect(decodeMemo(packr, encodeMemo(new Uint8Array(packr.pack({ ok: true }))), 'test')).toEqual({ ok: true });
    expect(() => decodeMemo(packr, new Uint8Array([1, 2, 3, 4]), 'test')).toThrow();
  });
});

describe('job keys', () => {
  it('sort by sequence number and round-trip it', () => {
    const random = seededRandom(5);
    const seqs = Array.from({ length: 200 }, () => random.int(0, Number.MAX_SAFE_INTEGER));
    seqs.push(0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER);
    for (const s of seqs) {
      expect(readSeq(seqBytes(s), 0)).toBe(s);
      expect(seqOfRecordKey(activeKey(s))).toBe(s);
      expect(seqOfRecordKey(finishedKey(s))).toBe(s);
    }
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(sorted.map(activeKey)).toEqual([...sorted.map(activeKey)].sort());
    const range = memoRange(9);
    expect(memoKey(9, 1) >= range.start && memoKey(9, 1) < range.end).toBe(true);
    expect(memoKey(10, 1) >= range.end).toBe(true);
    expect(memoKey(9, 2 ** 31) < range.end).toBe(true);
  });
});
