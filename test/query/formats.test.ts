/**
 * The SQL engine's byte formats: order-preserving keys (key order is SQL
 * order), rows (round trip, NULLs, validation of damaged bytes), and the
 * value semantics the formats rely on.
 */
import { describe, expect, it } from 'vitest';
import { FairdbError, seededRandom } from '../../storage/device/index.js';
import { decodeTuple, KeyBuilder, sqlKeyBytesMax } from '../../query/key-format.js';
import { RowCursor, RowEncoder, rowLayout } from '../../query/row-format.js';
import { compareText, compareValues, realToText, textAsWholeNumber, type SqlValue } from '../../query/value.js';

function keyOf(values: readonly SqlValue[]): string {
  const b = new KeyBuilder().start('\x01q\x10\x00\x00\x00\x01');
  for (const v of values) b.value(v);
  return b.finish();
}

function randomValue(r: ReturnType<typeof seededRandom>): SqlValue {
  switch (r.int(0, 4)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -0, 1, -1, 0.5, -0.5, 1e300, -1e300, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Infinity, -Infinity, r.int(-1000, 1000), r.float() * 1e6 - 5e5]);
    case 2:
      return r.pick(['', 'a', 'ab', 'a\u0000', 'a\u0000b', 'b', 'é', '\uffff', '\u{1f600}', 'A', 'zz']);
    default:
      return new Uint8Array(Array.from({ length: r.int(0, 3) }, () => r.pick([0, 1, 255])));
  }
}

describe('keys', () => {
  it('sort as SQL orders their values, element by element', () => {
    const r = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const width = r.int(1, 3);
      const tuples = Array.from({ length: 30 }, () => Array.from({ length: width }, () => randomValue(r)));
      const bySql = tuples.slice().sort((a, b) => {
        for (let i = 0; i < width; i++) {
          const c = compareValues(a[i] as SqlValue, b[i] as SqlValue);
          if (c !== 0) return c;
        }
        return 0;
      });
      const byKey = tuples.slice().sort((a, b) => {
        const x = keyOf(a);
        const y = keyOf(b);
        return x < y ? -1 : x > y ? 1 : 0;
      });
      expect(byKey.map((t) => keyOf(t))).toEqual(bySql.map((t) => keyOf(t)));
    }
  });

  it('decode back to their values; a prefix sorts before its extensions', () => {
    const values: SqlValue[] = [null, -2.5, 0, 7, 'text\u0000with nul', 'é', new Uint8Array([0, 255, 0])];
    const key = keyOf(values);
    expect(decodeTuple(key, '\x01q\x10\x00\x00\x00\x01'.length)).toEqual(values);
    expect(keyOf(['a']) < keyOf(['a', null])).toBe(true);
    expect(keyOf(['a']) < keyOf(['a\u0000'])).toBe(true);
    expect(keyOf([1]) < keyOf([1]) + '\xff').toBe(true);
  });

  it('are limited to the store key size, at the limit and one past it', () => {
    const prefix = '\x01q\x10\x00\x00\x00\x01';
    const room = sqlKeyBytesMax - prefix.length - 3;
    expect(new KeyBuilder().start(prefix).text('x'.repeat(room)).finish().length).toBe(sqlKeyBytesMax);
    expect(() => new KeyBuilder().start(prefix).text('x'.repeat(room + 1)).finish()).toThrow(FairdbError);
  });
});

describe('rows', () => {
  it('round-trip every column type, with NULLs', () => {
    const layout = rowLayout(['INTEGER', 'TEXT', 'REAL', 'BOOLEAN', 'BLOB', 'DATE', 'TEXT', 'TIMESTAMP', 'INTEGER']);
    const encoder = new RowEncoder(layout);
    const cursor = new RowCursor(layout, 'test');
    const rows: SqlValue[][] = [
      [1, 'héllo', 2.5, 1, new Uint8Array([1, 2]), 19000, '', 1.7e12, -3],
      [null, null, null, null, null, null, null, null, null],
      [Number.MAX_SAFE_INTEGER, 'x'.repeat(1000), -0.25, 0, new Uint8Array(0), -719528, '\u{1f600}', 0, 0],
    ];
    for (const row of rows) {
      const bytes = encoder.encode(row).slice();
      cursor.set(bytes, 0, bytes.length);
      const back = row.map((_, i) => (cursor.isNull(i) ? null : layout.kinds[i] === 'var' ? (i === 4 ? cursor.blob(i) : cursor.text(i)) : cursor.value(i)));
      expect(back).toEqual(row);
    }
  });

  it('reject damaged bytes with CORRUPTION, never an out-of-range read', () => {
    const layout = rowLayout(['INTEGER', 'TEXT']);
    const encoder = new RowEncoder(layout);
    const cursor = new RowCursor(layout, 'test');
    const good = encoder.encode([1, 'abc']).slice();
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (error) {
        return (error as FairdbError).code;
      }
    };
    const badVersion = good.slice();
    badVersion[0] = 9;
    expect(code(() => cursor.set(badVersion, 0, badVersion.length))).toBe('CORRUPTION');
    expect(code(() => cursor.set(good, 0, 3))).toBe('CORRUPTION');
    const badOffset = good.slice();
    new DataView(badOffset.buffer).setUint32(layout.slots[1] as number, 1000, true);
    cursor.set(badOffset, 0, badOffset.length);
    expect(code(() => cursor.text(1))).toBe('CORRUPTION');
  });
});

describe('values', () => {
  it('compare text in code point order (UTF-8 byte order), not UTF-16 order', () => {
    expect(compareText('\uffff', '\u{1f600}')).toBeLessThan(0);
    expect('\uffff' < '\u{1f600}').toBe(false);
    expect(Buffer.compare(Buffer.from('\uffff'), Buffer.from('\u{1f600}'))).toBeLessThan(0);
  });

  it('apply numeric affinity only to whole numbers and render REALs as SQLite', () => {
    expect(textAsWholeNumber(' 12 ')).toBe(12);
    expect(textAsWholeNumber('1e3')).toBe(1000);
    expect(textAsWholeNumber('12abc')).toBeUndefined();
    expect(textAsWholeNumber('')).toBeUndefined();
    expect([1, 0.1, 1e15, 1e17, 1e-5, 1e-4, 123.456, -0.5, 0.1 + 0.2].map(realToText)).toEqual([
      '1.0',
      '0.1',
      '1000000000000000.0',
      '1.0e+17',
      '1.0e-05',
      '0.0001',
      '123.456',
      '-0.5',
      '0.30000000000000004',
    ]);
  });
});
