/**
 * Correlated subqueries in the shapes TPC-H uses (EXISTS and NOT EXISTS
 * with a correlated inequality, scalar aggregates compared with the outer
 * row, IN over a grouped subquery), against better-sqlite3 on the same
 * data: on the model store and on the log-structured store, with the
 * columnar cache (keyed reads, memoized subqueries: outer rows arrive
 * grouped by the correlation key) and without it.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { LogStore } from '../../storage/kv/log-store.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { createSqlEngine } from '../../query/index.js';

const schema = [
  'CREATE TABLE orders (okey INTEGER PRIMARY KEY, cust INTEGER NOT NULL, status TEXT NOT NULL, total REAL)',
  'CREATE TABLE line (okey INTEGER NOT NULL, num INTEGER NOT NULL, part INTEGER NOT NULL, supp INTEGER NOT NULL, qty REAL NOT NULL, commitd INTEGER NOT NULL, receiptd INTEGER NOT NULL, PRIMARY KEY (okey, num))',
  'CREATE INDEX line_part ON line (part)',
  'CREATE INDEX orders_cust ON orders (cust)',
  'CREATE TABLE cust (ckey INTEGER PRIMARY KEY, bal REAL, phone TEXT NOT NULL)',
];

const queries: { sql: string; ordered: boolean }[] = [
  // Q4: EXISTS on the primary-key prefix of the inner table.
  { sql: "SELECT status, count(*) AS n FROM orders WHERE total > 100 AND EXISTS (SELECT * FROM line WHERE line.okey = orders.okey AND commitd < receiptd) GROUP BY status ORDER BY status", ordered: true },
  // Q21: EXISTS and NOT EXISTS with a correlated inequality.
  {
    sql:
      'SELECT l1.supp, count(*) AS n FROM line l1, orders WHERE orders.okey = l1.okey AND orders.status = ? AND l1.receiptd > l1.commitd ' +
      'AND EXISTS (SELECT * FROM line l2 WHERE l2.okey = l1.okey AND l2.supp <> l1.supp) ' +
      'AND NOT EXISTS (SELECT * FROM line l3 WHERE l3.okey = l1.okey AND l3.supp <> l1.supp AND l3.receiptd > l3.commitd) GROUP BY l1.supp ORDER BY n DESC, l1.supp',
    ordered: true,
  },
  // Q17: a scalar aggregate of the rows that share the outer row's key.
  { sql: 'SELECT sum(qty) AS s, count(*) AS n FROM line l WHERE l.part < 6 AND l.qty < (SELECT 0.8 * avg(qty) FROM line x WHERE x.part = l.part)', ordered: false },
  // Q2: a MIN over a join, correlated on the outer key.
  { sql: 'SELECT l.okey, l.num FROM line l WHERE l.part = ? AND l.qty = (SELECT min(x.qty) FROM line x, orders o WHERE x.part = l.part AND o.okey = x.okey AND o.status <> ?) ORDER BY l.okey, l.num', ordered: true },
  // Q22: NOT EXISTS against an index, plus an uncorrelated scalar.
  { sql: "SELECT substr(phone, 1, 1) AS c, count(*) AS n FROM cust WHERE bal > (SELECT avg(bal) FROM cust WHERE bal > 0) AND NOT EXISTS (SELECT * FROM orders WHERE orders.cust = cust.ckey) GROUP BY c ORDER BY c", ordered: true },
  // Q18: IN over a grouped subquery with HAVING.
  { sql: 'SELECT o.okey, o.total, sum(l.qty) AS q FROM orders o, line l WHERE o.okey IN (SELECT okey FROM line GROUP BY okey HAVING sum(qty) > ?) AND l.okey = o.okey GROUP BY o.okey, o.total ORDER BY o.okey', ordered: true },
  // Correlated scalar in the select list, and a correlated COUNT (0 for no rows, never NULL).
  { sql: 'SELECT c.ckey, (SELECT count(*) FROM orders o WHERE o.cust = c.ckey) AS n, (SELECT max(total) FROM orders o WHERE o.cust = c.ckey) AS m FROM cust c WHERE c.ckey < 40 ORDER BY c.ckey', ordered: true },
];

function load(exec: (sql: string, params: unknown[]) => void, seed: number): void {
  const r = seededRandom(seed);
  for (let c = 1; c <= 120; c++) exec('INSERT INTO cust VALUES (?, ?, ?)', [c, r.chance(0.1) ? null : r.int(-500, 5000) / 10, `${r.int(1, 4)}-${r.int(100, 999)}`]);
  for (let o = 1; o <= 400; o++) {
    exec('INSERT INTO orders VALUES (?, ?, ?, ?)', [o, r.int(1, 90), r.pick(['F', 'O', 'P']), r.chance(0.05) ? null : r.int(0, 40000) / 100]);
    const lines = r.int(1, 7);
    for (let n = 1; n <= lines; n++) {
      const commit = r.int(0, 60);
      exec('INSERT INTO line VALUES (?, ?, ?, ?, ?, ?, ?)', [o, n, r.int(1, 40), r.int(1, 12), r.int(1, 50), commit, commit + r.int(-15, 15)]);
    }
  }
}

describe('correlated subqueries against SQLite', () => {
  const engines: [string, () => ReturnType<typeof createSqlEngine>][] = [
    ['model store, columnar cache', () => createSqlEngine(new ModelKvStore(), { columnarRowsMin: 50 })],
    ['log store, columnar cache', () => createSqlEngine(new LogStore({ device: new MemoryDevice(), durability: 'none' }), { columnarRowsMin: 50 })],
    ['log store, no cache', () => createSqlEngine(new LogStore({ device: new MemoryDevice(), durability: 'none' }), { columnarCache: false })],
  ];
  for (const [name, make] of engines) {
    it(`returns SQLite's answers (${name})`, () => {
      for (const seed of [1, 2, 3]) {
        const lite = new Database(':memory:');
        const fair = make();
        for (const s of schema) {
          lite.exec(s);
          fair.exec(s);
        }
        const liteInserts = new Map<string, Database.Statement>();
        const fairInserts = new Map<string, ReturnType<typeof fair.prepare>>();
        lite.transaction(() => load((sql, params) => {
          let st = liteInserts.get(sql);
          if (st === undefined) liteInserts.set(sql, (st = lite.prepare(sql)));
          st.run(params);
        }, seed))();
        fair.transaction(() => load((sql, params) => {
          let st = fairInserts.get(sql);
          if (st === undefined) fairInserts.set(sql, (st = fair.prepare(sql)));
          st.run(params);
        }, seed))();
        const params: Record<string, unknown[]> = { 1: ['F'], 3: [7, 'P'], 5: [120] };
        queries.forEach((q, i) => {
          const args = params[String(i)] ?? [];
          const expected = lite.prepare(q.sql).all(...args);
          const statement = fair.prepare(q.sql);
          for (let run = 0; run < 3; run++) {
            const actual = statement.all(...args);
            const sort = (rows: unknown[]) => (q.ordered ? rows : rows.map((r) => JSON.stringify(r)).sort());
            expect(sort(actual), `seed ${seed} run ${run}: ${q.sql}`).toEqual(sort(expected));
          }
        });
        lite.close();
      }
    });
  }
});
