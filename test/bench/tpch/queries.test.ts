import { isLeft } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareAnswers,
  createIndexSql,
  createTableSql,
  dayOf,
  insertSql,
  q11Fraction,
  sqliteEngine,
  tpchData,
  tpchQuery,
  tpchQueryNumbers,
  tpchTableNames,
  tpchTables,
  type Row,
  type TpchEngine,
} from '../../../bench/tpch/index.js';
import { parse } from '../../../query/parser.js';
import { fairdbToSqlite, hasFairdbOnlySyntax } from './to-sqlite.js';

// Generous: these tests generate and load data, and the machine may be shared.
const generousMs = 60_000;

const sf = 0.01;
const seed = 1;
let engine: TpchEngine;

beforeAll(async () => {
  engine = sqliteEngine({ path: ':memory:' });
  await engine.load(tpchData({ sf, seed }));
}, generousMs);

afterAll(async () => {
  await engine.close();
});

describe('TPC-H queries on SQLite at SF 0.01', { timeout: generousMs }, () => {
  it.each(tpchQueryNumbers)('Q%i: the SQLite text is the fairdb text with dates folded, and it returns rows', (n) => {
    const query = tpchQuery(n, sf);
    // The two dialects ask the same question: the SQLite text is exactly the
    // mechanical rewrite of the fairdb text (so it also runs, below).
    const rewritten = fairdbToSqlite(query.fairdb);
    expect(hasFairdbOnlySyntax(rewritten), rewritten).toBe(false);
    expect(rewritten).toBe(query.sqlite);
    const answer = engine.query(n, query.sqlite);
    // With seed 1 every query has a non-empty answer at SF 0.01 (Q18 has 1 row).
    expect(answer.length, `Q${n} seed ${seed}`).toBeGreaterThan(0);
    for (const k of query.orderKeys) expect(k).toBeLessThan(Object.keys(answer[0] as Row).length);
  });

  it('writes the dialects apart only where SQLite needs it', () => {
    for (const n of tpchQueryNumbers) {
      const query = tpchQuery(n, sf);
      expect(hasFairdbOnlySyntax(query.sqlite), `Q${n}`).toBe(false);
      const usesDates = /\bdate\s+'/.test(query.fairdb) || /extract|substring/.test(query.fairdb);
      expect(query.fairdb === query.sqlite, `Q${n}`).toBe(!usesDates);
    }
    expect(tpchQuery(1, sf).fairdb).toContain(`date '1998-12-01' - interval '90' day`);
    expect(tpchQuery(1, sf).sqlite).toContain(`l_shipdate <= '1998-09-02'`);
    expect(() => tpchQuery(0, sf)).toThrow();
    expect(() => tpchQuery(23, sf)).toThrow();
  });

  it('scales Q11 FRACTION as 0.0001 / SF', () => {
    expect(q11Fraction(1)).toBe('0.0001');
    expect(q11Fraction(0.1)).toBe('0.001');
    expect(q11Fraction(0.01)).toBe('0.01');
    expect(tpchQuery(11, 1).fairdb).toContain('* 0.0001\n');
  });

  it('answers Q1 and Q6 as a direct computation over the generated rows does', () => {
    // Q1 and Q6 computed with plain loops over the generator's batches.
    const shipMax = dayOf('1998-09-02');
    const q6From = dayOf('1994-01-01');
    const q6To = dayOf('1995-01-01');
    const groups = new Map<string, number[]>();
    let revenue = 0;
    const col = (name: string) => tpchTables.lineitem.columns.findIndex((c) => c.name === name);
    const [qty, price, disc, tax, flag, status, ship] = ['l_quantity', 'l_extendedprice', 'l_discount', 'l_tax', 'l_returnflag', 'l_linestatus', 'l_shipdate'].map(col) as number[];
    for (const batch of tpchData({ sf, seed }).batches({ tables: ['lineitem'] })) {
      const c = batch.columns as unknown as ArrayLike<number | string>[];
      for (let i = 0; i < batch.rowCount; i++) {
        const q = c[qty as number]?.[i] as number;
        const p = c[price as number]?.[i] as number;
        const d = c[disc as number]?.[i] as number;
        const t = c[tax as number]?.[i] as number;
        const s = c[ship as number]?.[i] as number;
        if (s <= shipMax) {
          const key = `${String(c[flag as number]?.[i])}${String(c[status as number]?.[i])}`;
          const g = groups.get(key) ?? groups.set(key, [0, 0, 0, 0, 0, 0]).get(key) as number[];
          g[0] = (g[0] as number) + q;
          g[1] = (g[1] as number) + p;
          g[2] = (g[2] as number) + p * (1 - d);
          g[3] = (g[3] as number) + p * (1 - d) * (1 + t);
          g[4] = (g[4] as number) + d;
          g[5] = (g[5] as number) + 1;
        }
        if (s >= q6From && s < q6To && d >= 0.05 && d <= 0.07 && q < 24) revenue += p * d;
      }
    }
    const q1: Row[] = [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, g]) => {
        const [sq, sb, sd, sc, sdisc, count] = g as [number, number, number, number, number, number];
        return {
          l_returnflag: key[0], l_linestatus: key[1], sum_qty: sq, sum_base_price: sb, sum_disc_price: sd, sum_charge: sc,
          avg_qty: sq / count, avg_price: sb / count, avg_disc: sdisc / count, count_order: count,
        };
      });
    expect(q1.map((r) => `${String(r.l_returnflag)}${String(r.l_linestatus)}`)).toEqual(['AF', 'NF', 'NO', 'RF']);
    expect(compareAnswers(q1, engine.query(1, tpchQuery(1, sf).sqlite), { orderKeys: [0, 1] })).toEqual({ equal: true });
    expect(compareAnswers([{ revenue }], engine.query(6, tpchQuery(6, sf).sqlite))).toEqual({ equal: true });
  });

  it('has Q6 keep the lines with a 7% discount, which 0.06 + 0.01 in doubles would drop', () => {
    const with7 = engine.query(6, tpchQuery(6, sf).sqlite)[0]?.revenue as number;
    const folded = engine.query(6, tpchQuery(6, sf).sqlite.replace('between 0.05 and 0.07', 'between 0.06 - 0.01 and 0.06 + 0.01'))[0]?.revenue as number;
    expect(0.06 + 0.01).toBeLessThan(0.07);
    expect(with7).toBeGreaterThan(folded);
  });
});

describe('TPC-H texts in fairdb\'s language', () => {
  it('parse with fairdb\'s SQL parser: the 22 queries, the DDL and the inserts', () => {
    const texts = [
      ...tpchQueryNumbers.map((n) => tpchQuery(n, sf).fairdb),
      ...tpchTableNames.map((t) => createTableSql(t, 'fairdb')),
      ...tpchTableNames.map((t) => insertSql(t)),
      ...createIndexSql(),
    ];
    const failures = texts.flatMap((sql) => {
      const result = parse(sql);
      return isLeft(result) ? [`${sql.slice(0, 40)}...: ${result.left.message}`] : [];
    });
    expect(failures).toEqual([]);
  });

  it('types dates as DATE for fairdb and TEXT for SQLite', () => {
    expect(createTableSql('orders', 'fairdb')).toContain('o_orderdate DATE NOT NULL');
    expect(createTableSql('orders', 'sqlite')).toContain('o_orderdate TEXT NOT NULL');
    expect(createTableSql('lineitem', 'sqlite')).toContain('PRIMARY KEY (l_orderkey, l_linenumber)');
    expect(() => createIndexSql(['no_such_index'])).toThrow(/unknown TPC-H index/);
    expect(createIndexSql(['orders_custkey'])).toEqual(['CREATE INDEX orders_custkey ON orders (o_custkey)']);
  });
});
