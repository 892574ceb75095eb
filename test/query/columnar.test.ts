/**
 * The columnar cache: keyed reads (primary-key binary search, index
 * orderings) return exactly what the store returns, the memory bound holds
 * with eviction, the build policy, and the choice between the plan made for
 * the cache and the plan made for the store. Every query is checked against
 * an engine with the cache turned off, on the model store and on the real
 * log-structured store.
 */
import { describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { LogStore } from '../../storage/kv/log-store.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import type { RawKvStore } from '../../storage/kv/raw.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { createSqlEngine, type ColumnarCacheFigures, type SqlEngine, type SqlEngineOptions } from '../../query/index.js';

const stores: [string, () => RawKvStore][] = [
  ['model store', () => new ModelKvStore()],
  ['log store', () => new LogStore({ device: new MemoryDevice(), durability: 'none' })],
];

function figures(db: SqlEngine): ColumnarCacheFigures {
  return db.columnarFigures();
}

const schema = `
  CREATE TABLE item (a INTEGER, b REAL, d DATE, name TEXT, price REAL, grp INTEGER, PRIMARY KEY (a, b, d));
  CREATE INDEX item_grp ON item (grp);
  CREATE INDEX item_price ON item (price, name);
  CREATE TABLE other (id INTEGER PRIMARY KEY, label TEXT);
`;

function load(db: SqlEngine, seed: number): void {
  db.exec(schema);
  const r = seededRandom(seed);
  const insert = db.prepare('INSERT INTO item VALUES (?, ?, ?, ?, ?, ?)');
  const other = db.prepare('INSERT INTO other VALUES (?, ?)');
  db.transaction(() => {
    for (let a = -20; a < 40; a++) {
      for (let b = 0; b < 6; b++) {
        for (let d = 0; d < 4; d++) {
          const price = r.chance(0.1) ? null : r.int(-5, 50) / 2;
          const grp = r.chance(0.05) ? null : r.int(0, 30);
          insert.run(a, b * 0.5 - 1, `2024-0${1 + d}-1${b}`, `n${r.int(0, 9)}`, price, grp);
        }
      }
    }
    for (let i = 1; i <= 1500; i++) other.run(i, `o${i % 7}`);
  })();
}

/** Queries whose reads are keyed: equalities, ranges and IN sets on key prefixes, both directions. */
const queries = [
  'SELECT * FROM item WHERE a = 3 ORDER BY a, b, d',
  'SELECT count(*) AS n, sum(price) AS s FROM item WHERE a = ?1',
  'SELECT a, b, d FROM item WHERE a = 7 AND b = 0.5',
  "SELECT a, b, d FROM item WHERE a = 7 AND b = 0.5 AND d = '2024-03-13'",
  "SELECT a, b, d FROM item WHERE a = 7 AND b = 0.5 AND d >= '2024-02-01' AND d < '2024-04-01'",
  'SELECT a, b FROM item WHERE a BETWEEN -3 AND 4 AND b > 0',
  'SELECT a, b FROM item WHERE a > ?1 AND a <= ?2',
  'SELECT a, b, d FROM item WHERE a >= 30 ORDER BY a DESC, b DESC, d DESC LIMIT 7',
  'SELECT a, b, d FROM item WHERE a = 5 ORDER BY b DESC, d DESC LIMIT 3',
  'SELECT a FROM item WHERE a IN (1, 3, 3, -7, 1000, NULL)',
  "SELECT a FROM item WHERE a IN ('4', 5.0, 6.5)",
  'SELECT a FROM item WHERE a = NULL',
  "SELECT a FROM item WHERE a = 'x'",
  'SELECT a, b, d, grp FROM item WHERE grp = 7',
  'SELECT a, b, d, grp FROM item WHERE grp = ?1',
  'SELECT count(*) AS n FROM item WHERE grp IS NULL',
  'SELECT a, b, d FROM item WHERE grp IN (1, 2, 29, 31)',
  'SELECT a, b, d FROM item WHERE grp > 25',
  'SELECT a, b, d FROM item WHERE grp >= 3.5 AND grp < 6',
  'SELECT a, b, d, price FROM item WHERE price = 12.5',
  'SELECT a, b, d, price FROM item WHERE price > 20 AND name = ?3',
  'SELECT a, price FROM item WHERE price BETWEEN 1 AND 3.5 ORDER BY a, price',
  'SELECT o.label, count(*) AS n FROM item i JOIN other o ON o.id = i.grp WHERE i.a < 0 GROUP BY o.label',
  'SELECT i.a, i.b, i.d FROM other o JOIN item i ON i.a = o.id WHERE o.label = ?3',
  'SELECT o.id FROM other o WHERE EXISTS (SELECT 1 FROM item i WHERE i.a = o.id AND i.price > 24)',
  'SELECT o.id, (SELECT max(price) FROM item i WHERE i.grp = o.id) AS m FROM other o WHERE o.id < 40',
  'SELECT id FROM other WHERE id IN (SELECT grp FROM item WHERE a = 2)',
  'SELECT * FROM other ORDER BY id DESC LIMIT 5',
  // A hash join whose build side is a whole cached table under a constant filter (kept across executions).
  'SELECT o.label, sum(i.price) AS s, count(*) AS n FROM item i JOIN other o ON o.id = i.grp + 0 WHERE o.id < 100 GROUP BY o.label',
];

/** Rows in a canonical order when the query leaves the order open (no ORDER BY). */
function canonical(sql: string, rows: unknown[]): unknown[] {
  if (/ORDER BY/i.test(sql)) return rows;
  return rows.map((r) => JSON.stringify(r)).sort();
}

function sameAnswers(cached: SqlEngine, plain: SqlEngine, params: unknown[]): void {
  for (const sql of queries) {
    const args = params.slice(0, countParams(sql));
    const expected = canonical(sql, plain.prepare(sql).all(...args));
    const statement = cached.prepare(sql);
    // The first run builds the cache, the later ones read it.
    for (let run = 0; run < 3; run++) expect(canonical(sql, statement.all(...args)), `${sql} (run ${run})`).toEqual(expected);
  }
}

function countParams(sql: string): number {
  let n = 0;
  for (const m of sql.matchAll(/\?(\d)/g)) n = Math.max(n, Number(m[1]));
  return n;
}

describe('columnar cache', () => {
  for (const [name, makeStore] of stores) {
    describe(name, () => {
      const open = (options: SqlEngineOptions) => {
        const db = createSqlEngine(makeStore(), options);
        load(db, 7);
        return db;
      };

      it('keyed reads from the cache return what the store returns', () => {
        const cached = open({ columnarRowsMin: 100 });
        const plain = open({ columnarCache: false });
        for (const params of [[3, 9, 'n3'], [-20, -19, 'n0'], [39, 100, 'o1'], ['7', '8.5', 'zz']]) sameAnswers(cached, plain, params);
        expect(figures(cached).builds).toBeGreaterThan(0);
        expect(figures(cached).entries).toBe(2);
        // The plans for the cache read by key without the store.
        expect(cached.explain('SELECT a FROM item WHERE a = 3')).toContain('primary key range');
        expect(cached.explain(queries[queries.length - 1] as string)).toContain('Hash join on');
      });

      it('follows writes, and a transaction that wrote a table reads the store', () => {
        const cached = open({ columnarRowsMin: 100 });
        const plain = open({ columnarCache: false });
        sameAnswers(cached, plain, [3, 9, 'n3']);
        // Hash tables built on a cached table are kept across executions
        // while its entry lasts: writes to either side must rebuild them.
        const writes = [
          'UPDATE item SET grp = 7, price = 99 WHERE a = 3',
          "UPDATE other SET label = 'o9' WHERE id % 5 = 1",
          'DELETE FROM item WHERE a BETWEEN 10 AND 12',
          'DELETE FROM other WHERE id BETWEEN 3 AND 9',
          "INSERT INTO item VALUES (100, 0, '2024-01-01', 'n1', 1, 7)",
        ];
        for (const write of writes) {
          cached.exec(write);
          plain.exec(write);
          sameAnswers(cached, plain, [3, 9, 'n3']);
        }
        const inTransaction = (db: SqlEngine) => {
          db.exec('BEGIN');
          db.exec("INSERT INTO item VALUES (101, 0, '2024-01-01', 'n1', 2, 7)");
          const rows = db.prepare('SELECT a, b, d FROM item WHERE grp = 7 ORDER BY a').all();
          const keyed = db.prepare('SELECT a FROM item WHERE a >= 100').all();
          db.exec('ROLLBACK');
          return [rows, keyed];
        };
        expect(inTransaction(cached)).toEqual(inTransaction(plain));
        expect(inTransaction(cached)[1]).toEqual([{ a: 100 }, { a: 101 }]);
      });

      it('stays within its memory bound, evicting the least recently used tables', () => {
        const plain = open({ columnarCache: false });
        // Room for one table's columns at a time.
        const small = open({ columnarRowsMin: 100, columnarCacheBytes: 28_000 });
        // Each needs two thirds of the bound or so (8 bytes per row and column).
        const item = 'SELECT sum(price) AS s, count(*) AS n FROM item WHERE grp > 3';
        const other = "SELECT count(*) AS n FROM other WHERE label = 'o3'";
        for (let round = 0; round < 3; round++) {
          for (const sql of [item, item, other, other]) {
            expect(small.prepare(sql).all()).toEqual(plain.prepare(sql).all());
            const f = figures(small);
            expect(f.bytes).toBeLessThanOrEqual(f.bytesMax);
          }
        }
        expect(figures(small).evictions).toBeGreaterThan(0);
        // No room at all: every read goes to the store, answers unchanged.
        const none = open({ columnarRowsMin: 100, columnarCacheBytes: 0 });
        sameAnswers(none, plain, [3, 9, 'n3']);
        expect(figures(none).bytes).toBe(0);
        expect(figures(none).refusals).toBeGreaterThan(0);
      });
    });
  }

  it('plans again in the execution whose builds measured the statistics its plan asked for, and runs that plan', () => {
    for (const [name, makeStore] of stores) {
      const db = createSqlEngine(makeStore(), { columnarRowsMin: 100 });
      const plain = createSqlEngine(makeStore(), { columnarCache: false });
      load(db, 5);
      load(plain, 5);
      // Joins on columns that are no key: the first plan asks for their
      // distinct counts, which only the entries this execution builds measure.
      const sql = 'SELECT o.label, count(*) AS n, sum(i.price) AS s FROM item i JOIN other o ON o.label = i.name || ? WHERE i.grp > 3 GROUP BY o.label';
      const statement = db.prepare(sql);
      const prepares = vi.spyOn(db as unknown as { prepareStatement: (...args: unknown[]) => unknown }, 'prepareStatement');
      const expected = canonical(sql, plain.prepare(sql).all(''));
      expect(canonical(sql, statement.all('')), name).toEqual(expected);
      // Planned once without the statistics and once with them, both in the first execution.
      expect(prepares.mock.calls.length, name).toBe(2);
      for (let run = 0; run < 3; run++) expect(canonical(sql, statement.all('')), `${name} (run ${run})`).toEqual(expected);
      expect(prepares.mock.calls.length, name).toBe(2);
      // A write makes the entries stale; answers still follow it.
      db.exec('UPDATE item SET name = \'o3\' WHERE a < 0');
      plain.exec('UPDATE item SET name = \'o3\' WHERE a < 0');
      expect(canonical(sql, statement.all('')), name).toEqual(canonical(sql, plain.prepare(sql).all('')));
      prepares.mockRestore();
    }
  });

  it('once built, keyed reads of cached tables do not touch the store', () => {
    let reads = 0;
    const inner = new ModelKvStore();
    // Counts the reads that reach the store outside transactions.
    const store: RawKvStore = {
      getRaw: (key) => {
        reads++;
        return inner.getRaw(key);
      },
      scanRaw: (range, visit) => {
        reads++;
        return inner.scanRaw(range, visit);
      },
      transactionSync: (fn) => inner.transactionSync(fn),
      transaction: (fn) => inner.transaction(fn),
      begin: () => inner.begin(),
      snapshotRaw: () => inner.snapshotRaw(),
    };
    const db = createSqlEngine(store, { columnarRowsMin: 100 });
    load(db, 11);
    const keyed = [
      'SELECT a, b, d FROM item WHERE a = ?1 AND b = 0.5',
      'SELECT count(*) AS n FROM item WHERE grp = ?1',
      'SELECT i.a FROM other o JOIN item i ON i.a = o.id WHERE o.id < ?1',
      'SELECT o.id FROM other o WHERE o.id < ?1 AND EXISTS (SELECT 1 FROM item i WHERE i.a = o.id AND i.grp > 20)',
    ];
    // Full scans build the tables' entries; keyed reads then add the columns they need.
    db.prepare('SELECT sum(price) AS s FROM item').all();
    db.prepare('SELECT count(*) AS n FROM other').all();
    for (const sql of keyed) {
      const statement = db.prepare(sql);
      statement.all(5);
      statement.all(6);
      reads = 0;
      const rows = statement.all(7);
      expect(reads, sql).toBe(0);
      expect(rows.length, sql).toBeGreaterThan(0);
    }
  });

  it('builds a table read only by key once the store reads have earned it, and never for a table written between reads', () => {
    const db = createSqlEngine(new ModelKvStore(), { columnarRowsMin: 100 });
    load(db, 3);
    const lookup = db.prepare('SELECT price FROM item WHERE a = ?1 AND b = ?2 AND d = ?3');
    const update = db.prepare('UPDATE other SET label = ?1 WHERE id = ?2');
    const point = db.prepare('SELECT label FROM other WHERE id = ?1');
    let builds = figures(db).builds;
    // A table written between every read never gets an entry.
    for (let i = 1; i <= 400; i++) {
      point.get(i);
      update.run(`x${i}`, i);
    }
    expect(figures(db).builds).toBe(builds);
    expect(point.get(7)).toEqual({ label: 'x7' });
    // A read-only table read by key gets one after enough reads (about 2 · rows / 25).
    for (let i = 0; i < 200; i++) lookup.get(i % 40, 0, '2024-01-10');
    builds = figures(db).builds;
    expect(builds).toBeGreaterThan(0);
    expect(lookup.get(3, 0.5, '2024-02-13')).toEqual(db.prepare('SELECT price FROM item WHERE a = 3 AND b = 0.5 AND d = ?').get('2024-02-13'));
  });
});
