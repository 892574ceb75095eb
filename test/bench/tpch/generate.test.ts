import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import { colors } from '../../../bench/tpch/distributions.js';
import {
  batchRowsMax,
  currentDay,
  dayOf,
  isoOfDay,
  orderDayMax,
  orderKeyOf,
  partSupplierKey,
  retailPriceCents,
  reviewedSuppliers,
  sfMax,
  sfMin,
  startDay,
  tpchData,
  tpchRowCounts,
  tpchTableNames,
  tpchTables,
  type TpchBatch,
  type TpchData,
  type TpchTableName,
} from '../../../bench/tpch/index.js';

// Generous: these tests generate and load data, and the machine may be shared.
const generousMs = 60_000;

/** Column arrays of one table, copied out of the reused batch arrays. */
type Table = Record<string, unknown[]>;

function collect(data: TpchData, tables?: readonly TpchTableName[]): Record<TpchTableName, Table> {
  const out = {} as Record<TpchTableName, Table>;
  for (const batch of data.batches(tables === undefined ? {} : { tables })) {
    const columns = tpchTables[batch.table].columns;
    const table = (out[batch.table] ??= Object.fromEntries(columns.map((c) => [c.name, [] as unknown[]])));
    columns.forEach((c, i) => {
      const values = batch.columns[i] as ArrayLike<unknown>;
      const target = table[c.name] as unknown[];
      for (let r = 0; r < batch.rowCount; r++) target.push(values[r]);
    });
  }
  return out;
}

/**
 * SHA-256 of each column of each table, independent of how the rows were cut
 * into batches: numbers are hashed as their bytes, strings each followed by
 * a NUL (comments never contain one).
 */
function digests(data: TpchData, tables?: readonly TpchTableName[]): Partial<Record<TpchTableName, string>> {
  const hashes = new Map<TpchTableName, ReturnType<typeof createHash>[]>();
  for (const batch of data.batches(tables === undefined ? {} : { tables })) {
    let columns = hashes.get(batch.table);
    if (columns === undefined) hashes.set(batch.table, (columns = batch.columns.map(() => createHash('sha256'))));
    batch.columns.forEach((column, c) => {
      const hash = columns[c] as ReturnType<typeof createHash>;
      if (Array.isArray(column)) hash.update(`${column.slice(0, batch.rowCount).join('\0')}\0`);
      else hash.update(new Uint8Array(column.buffer, column.byteOffset, batch.rowCount * column.BYTES_PER_ELEMENT));
    });
  }
  return Object.fromEntries([...hashes].map(([table, columns]) => [table, columns.map((h) => h.digest('hex')).join(',')]));
}

/**
 * Checks `ok` for every row and returns the first few failures, so that a
 * table of 60,000 rows costs one assertion instead of one per value.
 */
function violations(count: number, check: (i: number) => string | undefined): string[] {
  const found: string[] = [];
  for (let i = 0; i < count && found.length < 5; i++) {
    const problem = check(i);
    if (problem !== undefined) found.push(`row ${i}: ${problem}`);
  }
  return found;
}

function rows(table: Table): number {
  return (Object.values(table)[0] as unknown[]).length;
}

const seed = 1;
const sf = 0.01;
// Generated once for the whole file; the value checks below only read it.
const data = tpchData({ sf, seed });
const db = collect(data);

describe('TPC-H generator: determinism', { timeout: generousMs }, () => {
  it('gives identical data for the same seed, whatever the batch size, and different data for another seed', () => {
    const a = digests(data);
    expect(Object.keys(a)).toEqual(tpchTableNames);
    expect(digests(tpchData({ sf, seed, batchRows: 1000 })), `seed ${seed}`).toEqual(a);
    expect(digests(data), 'a second pass over the same description').toEqual(a);
    const other = digests(tpchData({ sf, seed: seed + 1 }));
    // Every table with random content differs (REGION and NATION only by their comments).
    for (const table of tpchTableNames) expect(other[table], table).not.toBe(a[table]);
  });

  it('generates a table the same way whether or not the other tables are generated', () => {
    const all = digests(data);
    const alone = tpchData({ sf, seed });
    expect(digests(alone, ['lineitem'])).toEqual({ lineitem: all.lineitem });
    expect(digests(alone, ['partsupp', 'customer'])).toEqual({ customer: all.customer, partsupp: all.partsupp });
  });
});

describe('TPC-H generator: cardinalities (clause 4.2.5)', { timeout: generousMs }, () => {
  it('has the specified row counts at SF 0.01', () => {
    expect(rows(db.region)).toBe(5);
    expect(rows(db.nation)).toBe(25);
    expect(rows(db.supplier)).toBe(100);
    expect(rows(db.customer)).toBe(1_500);
    expect(rows(db.part)).toBe(2_000);
    expect(rows(db.partsupp)).toBe(8_000);
    expect(rows(db.orders)).toBe(15_000);
    // 1..7 lines per order: mean 4, standard deviation 2 per order, so the
    // total is 60,000 +- 5 x 2 x sqrt(15,000) with overwhelming probability.
    const lines = rows(db.lineitem);
    expect(Math.abs(lines - 60_000), `lineitem rows ${lines}, seed ${seed}`).toBeLessThan(1_225);
    expect(data.rowCounts.lineitem).toBe(60_000);
  });

  it('scales the counts with SF (SF 1 = the specification table)', () => {
    expect(tpchRowCounts(1)).toEqual({
      region: 5, nation: 25, supplier: 10_000, customer: 150_000, part: 200_000, partsupp: 800_000, orders: 1_500_000, lineitem: 6_000_000,
    });
    expect(tpchRowCounts(0.1).orders).toBe(150_000);
  });

  it('uses unique keys; order keys sparse (8 of every 32); 4 distinct suppliers per part', () => {
    expect(db.part.p_partkey).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    const orderKeys = db.orders.o_orderkey as number[];
    expect(new Set(orderKeys).size).toBe(orderKeys.length);
    expect(violations(orderKeys.length, (i) => (((orderKeys[i] as number) - 1) % 32 < 8 ? undefined : `key ${orderKeys[i]}`))).toEqual([]);
    expect(orderKeys.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 33, 34]);
    expect(orderKeyOf(15_000 - 1)).toBe(orderKeys[orderKeys.length - 1]);
    const ps = new Set<string>();
    for (let i = 0; i < rows(db.partsupp); i++) ps.add(`${String(db.partsupp.ps_partkey[i])}:${String(db.partsupp.ps_suppkey[i])}`);
    expect(ps.size).toBe(8000);
    // Every line's (part, supplier) exists in PARTSUPP (Q9 joins on it).
    const key = (i: number) => `${String(db.lineitem.l_partkey[i])}:${String(db.lineitem.l_suppkey[i])}`;
    expect(violations(rows(db.lineitem), (i) => (ps.has(key(i)) ? undefined : `no PARTSUPP row ${key(i)}`))).toEqual([]);
    expect(partSupplierKey(1, 0, 10_000)).toBe(2);
    expect(partSupplierKey(1, 1, 10_000)).toBe(2502);
  });

  it('gives orders only to customers whose key is not a multiple of 3, covering the others', () => {
    const customers = new Set(db.orders.o_custkey as number[]);
    expect([...customers].filter((c) => c % 3 === 0 || c < 1 || c > 1500)).toEqual([]);
    // 1,000 eligible customers, 15,000 orders: almost all of them order.
    expect(customers.size).toBeGreaterThan(990);
  });
});

describe('TPC-H generator: value domains (clause 4.2.3)', { timeout: generousMs }, () => {
  const l = db.lineitem;
  const o = db.orders;

  it('derives line dates from the order date and flags from the dates', () => {
    const orderDay = new Map<number, number>();
    (o.o_orderkey as number[]).forEach((k, i) => orderDay.set(k, o.o_orderdate[i] as number));
    const flags = { R: 0, A: 0, N: 0 };
    const problems = violations(rows(l), (i) => {
      const od = orderDay.get(l.l_orderkey[i] as number) as number;
      const ship = l.l_shipdate[i] as number;
      const commit = l.l_commitdate[i] as number;
      const receipt = l.l_receiptdate[i] as number;
      const flag = l.l_returnflag[i] as 'R' | 'A' | 'N';
      flags[flag]++;
      if (ship - od < 1 || ship - od > 121) return `ship date ${ship - od} days after the order`;
      if (commit - od < 30 || commit - od > 90) return `commit date ${commit - od} days after the order`;
      if (receipt - ship < 1 || receipt - ship > 30) return `receipt date ${receipt - ship} days after shipping`;
      if (receipt <= currentDay ? flag !== 'R' && flag !== 'A' : flag !== 'N') return `return flag ${flag} with receipt ${isoOfDay(receipt)}`;
      if (l.l_linestatus[i] !== (ship > currentDay ? 'O' : 'F')) return `line status ${String(l.l_linestatus[i])} with ship date ${isoOfDay(ship)}`;
      return undefined;
    });
    expect(problems, `seed ${seed}`).toEqual([]);
    // 'R' and 'A' are equally likely.
    expect(Math.abs(flags.R - flags.A) / (flags.R + flags.A)).toBeLessThan(0.05);
    expect((o.o_orderdate as number[]).filter((d) => d < startDay || d > orderDayMax)).toEqual([]);
    expect(isoOfDay(startDay)).toBe('1992-01-01');
    expect(isoOfDay(orderDayMax)).toBe('1998-08-02');
    expect(isoOfDay(currentDay)).toBe('1995-06-17');
    expect(isoOfDay(dayOf('2000-02-29'))).toBe('2000-02-29');
    expect(() => dayOf('1995-02-30')).toThrow(RangeError);
  });

  it('derives order status and total price from the lines', () => {
    const statuses = new Map<number, string[]>();
    const totals = new Map<number, number>();
    for (let i = 0; i < rows(l); i++) {
      const k = l.l_orderkey[i] as number;
      (statuses.get(k) ?? statuses.set(k, []).get(k))?.push(l.l_linestatus[i] as string);
      const cents = Math.round((l.l_extendedprice[i] as number) * 100);
      const discount = Math.round((l.l_discount[i] as number) * 100);
      const tax = Math.round((l.l_tax[i] as number) * 100);
      totals.set(k, (totals.get(k) ?? 0) + Math.floor((Math.floor((cents * (100 - discount)) / 100) * (100 + tax)) / 100));
    }
    const seen = new Set<string>();
    const problems = violations(rows(o), (i) => {
      const k = o.o_orderkey[i] as number;
      const s = statuses.get(k) as string[];
      if (s.length < 1 || s.length > 7) return `${s.length} lines`;
      const expected = s.every((x) => x === 'F') ? 'F' : s.every((x) => x === 'O') ? 'O' : 'P';
      seen.add(expected);
      if (o.o_orderstatus[i] !== expected) return `status ${String(o.o_orderstatus[i])}, lines ${s.join('')}`;
      if (o.o_totalprice[i] !== (totals.get(k) as number) / 100) return `total price ${String(o.o_totalprice[i])}`;
      return undefined;
    });
    expect(problems, `seed ${seed}`).toEqual([]);
    expect([...seen].sort()).toEqual(['F', 'O', 'P']);
  });

  it('prices lines at quantity x retail price, with the specified ranges of numbers', () => {
    const retail = new Map<number, number>();
    expect(
      violations(rows(db.part), (i) => {
        const k = db.part.p_partkey[i] as number;
        retail.set(k, db.part.p_retailprice[i] as number);
        const expected = (90000 + (Math.floor(k / 10) % 20001) + 100 * (k % 1000)) / 100;
        return db.part.p_retailprice[i] === expected ? undefined : `retail price ${String(db.part.p_retailprice[i])}, expected ${expected}`;
      }),
    ).toEqual([]);
    expect(retailPriceCents(1)).toBe(90100);
    expect(retailPriceCents(200_000)).toBe(90000 + 20000);
    const problems = violations(rows(l), (i) => {
      const q = l.l_quantity[i] as number;
      if (!Number.isInteger(q) || q < 1 || q > 50) return `quantity ${q}`;
      // L_EXTENDEDPRICE = L_QUANTITY x P_RETAILPRICE of the line's part, to the cent.
      const price = l.l_extendedprice[i] as number;
      if (Math.round(price * 100) !== Math.round(q * (retail.get(l.l_partkey[i] as number) as number) * 100)) return `extended price ${price}`;
      const d = Math.round((l.l_discount[i] as number) * 100);
      if (l.l_discount[i] !== d / 100 || d < 0 || d > 10) return `discount ${String(l.l_discount[i])}`;
      const t = Math.round((l.l_tax[i] as number) * 100);
      if (l.l_tax[i] !== t / 100 || t < 0 || t > 8) return `tax ${String(l.l_tax[i])}`;
      const n = l.l_linenumber[i] as number;
      return n >= 1 && n <= 7 ? undefined : `line number ${n}`;
    });
    expect(problems, `seed ${seed}`).toEqual([]);
    for (const balances of [db.supplier.s_acctbal, db.customer.c_acctbal] as number[][]) {
      expect(balances.filter((b) => b < -999.99 || b > 9999.99 || Math.round(b * 100) / 100 !== b)).toEqual([]);
    }
    expect(
      violations(rows(db.partsupp), (i) => {
        const q = db.partsupp.ps_availqty[i] as number;
        const c = db.partsupp.ps_supplycost[i] as number;
        return q >= 1 && q <= 9999 && c >= 1 && c <= 1000 ? undefined : `available ${q}, cost ${c}`;
      }),
    ).toEqual([]);
  });

  it('draws names, types, brands, containers and codes from the specified lists', () => {
    const types = new Set<string>();
    const colorSet = new Set(colors);
    const problems = violations(rows(db.part), (i) => {
      const words = (db.part.p_name[i] as string).split(' ');
      if (words.length !== 5 || new Set(words).size !== 5 || !words.every((w) => colorSet.has(w))) return `name ${String(db.part.p_name[i])}`;
      const m = /^Manufacturer#([1-5])$/.exec(db.part.p_mfgr[i] as string);
      if (m === null) return `manufacturer ${String(db.part.p_mfgr[i])}`;
      if (!new RegExp(`^Brand#${m[1] as string}[1-5]$`).test(db.part.p_brand[i] as string)) return `brand ${String(db.part.p_brand[i])} of ${m[0]}`;
      const type = db.part.p_type[i] as string;
      types.add(type);
      if (!/^(STANDARD|SMALL|MEDIUM|LARGE|ECONOMY|PROMO) (ANODIZED|BURNISHED|PLATED|POLISHED|BRUSHED) (TIN|NICKEL|BRASS|STEEL|COPPER)$/.test(type)) return `type ${type}`;
      if (!/^(SM|LG|MED|JUMBO|WRAP) (CASE|BOX|BAG|JAR|PKG|PACK|CAN|DRUM)$/.test(db.part.p_container[i] as string)) return `container ${String(db.part.p_container[i])}`;
      const size = db.part.p_size[i] as number;
      return size >= 1 && size <= 50 ? undefined : `size ${size}`;
    });
    expect(problems, `seed ${seed}`).toEqual([]);
    expect(types.size).toBe(150);
    for (const [table, prefix, key] of [
      [db.supplier, 's_', 'Supplier#'],
      [db.customer, 'c_', 'Customer#'],
    ] as const) {
      const found = violations(rows(table), (i) => {
        const nation = table[`${prefix}nationkey`]?.[i] as number;
        if (nation < 0 || nation > 24) return `nation ${nation}`;
        const phone = table[`${prefix}phone`]?.[i] as string;
        if (!new RegExp(`^${nation + 10}-\\d{3}-\\d{3}-\\d{4}$`).test(phone)) return `phone ${phone} in nation ${nation}`;
        if (table[`${prefix}name`]?.[i] !== `${key}${String(i + 1).padStart(9, '0')}`) return `name ${String(table[`${prefix}name`]?.[i])}`;
        const address = table[`${prefix}address`]?.[i] as string;
        return address.length >= 10 && address.length <= 40 ? undefined : `address ${address}`;
      });
      expect(found, `${key} seed ${seed}`).toEqual([]);
    }
    expect(new Set(db.customer.c_mktsegment)).toEqual(new Set(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD']));
    expect(new Set(o.o_orderpriority)).toEqual(new Set(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']));
    expect(new Set(l.l_shipmode)).toEqual(new Set(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']));
    expect(new Set(l.l_shipinstruct)).toEqual(new Set(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']));
    expect(new Set(o.o_clerk)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `Clerk#${String(i + 1).padStart(9, '0')}`)));
    expect(o.o_shippriority.every((p) => p === 0)).toBe(true);
    expect(db.nation.n_name[20]).toBe('SAUDI ARABIA');
    expect(db.nation.n_regionkey[20]).toBe(4);
    expect(db.region.r_name).toEqual(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST']);
  });

  it('cuts comments from the grammar text with the specified lengths', () => {
    const bounds: [string[], number, number][] = [
      [db.region.r_comment as string[], 31, 115],
      [db.nation.n_comment as string[], 31, 114],
      [db.supplier.s_comment as string[], 25, 100],
      [db.customer.c_comment as string[], 29, 116],
      [db.part.p_comment as string[], 5, 22],
      [db.partsupp.ps_comment as string[], 49, 198],
      [o.o_comment as string[], 19, 78],
      [l.l_comment as string[], 10, 43],
    ];
    for (const [comments, min, max] of bounds) {
      const found = violations(comments.length, (i) => {
        const c = comments[i] as string;
        return c.length >= min && c.length <= max && /^[a-zA-Z ,.;:?!-]+$/.test(c) ? undefined : `comment ${JSON.stringify(c)} not in [${min}, ${max}]`;
      });
      expect(found, `seed ${seed}`).toEqual([]);
      // Lengths are uniform in [min, max]: both ends occur in large tables.
      if (comments.length >= 8000) expect(new Set(comments.map((c) => c.length)).size).toBe(max - min + 1);
    }
  });

  it('makes the LIKE patterns of Q13 and Q16 occur at the specified rates', () => {
    const special = (o.o_comment as string[]).filter((c) => /special.*requests/.test(c)).length;
    // The grammar makes about 1% of order comments match '%special%requests%'.
    expect(special / rows(o), `${special} matches, seed ${seed}`).toBeGreaterThan(0.005);
    expect(special / rows(o), `${special} matches, seed ${seed}`).toBeLessThan(0.02);
    const comments = db.supplier.s_comment as string[];
    expect(comments.filter((c) => /Customer.*Complaints/.test(c)).length).toBe(reviewedSuppliers(sf));
    expect(comments.filter((c) => /Customer.*Recommends/.test(c)).length).toBe(reviewedSuppliers(sf));
    expect(reviewedSuppliers(1)).toBe(5);
    const sf1 = collect(tpchData({ sf: 0.1, seed }), ['supplier']).supplier.s_comment as string[];
    expect(sf1.filter((c) => /Customer.*Complaints/.test(c)).length).toBe(1);
  });
});

describe('TPC-H generator: options', { timeout: generousMs }, () => {
  it('accepts the limits and rejects one past them, reporting every violation at once', () => {
    expect(tpchData({ sf: sfMin }).rowCounts.supplier).toBe(100);
    expect(tpchData({ sf: sfMax }).rowCounts.orders).toBe(150_000_000);
    expect(tpchData({ batchRows: batchRowsMax }).sf).toBe(1);
    expect(tpchData({ batchRows: 1, sf }).batches().next().value?.rowCount).toBe(5);
    try {
      tpchData({ sf: sfMin / 2, seed: 0.5, batchRows: batchRowsMax + 1, textPoolChars: 10 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FairdbError);
      expect((error as FairdbError).code).toBe('INVALID_ARGUMENT');
      const message = (error as Error).message;
      for (const field of ['sf', 'seed', 'batchRows', 'textPoolChars']) expect(message).toContain(field);
    }
    expect(() => tpchData({ sf: sfMax * 1.01 })).toThrow(/sf must be in/);
    expect(() => tpchData({ sf: Number.NaN })).toThrow(/sf must be in/);
    // 120 suppliers: the PARTSUPP formula would give a part the same supplier twice.
    expect(() => tpchData({ sf: 0.012 })).toThrow(/repeats a supplier/);
  });

  it('yields batches of at most batchRows rows and reuses their arrays', () => {
    const batches: TpchBatch[] = [];
    const arrays = new Set<unknown>();
    for (const b of tpchData({ sf, seed, batchRows: 4096 }).batches({ tables: ['orders'] })) {
      batches.push(b);
      arrays.add(b.columns[0]);
    }
    expect(batches.map((b) => b.rowCount)).toEqual([4096, 4096, 4096, 2712]);
    expect(arrays.size).toBe(1);
    expect(tpchTableNames).toEqual(['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem']);
  });
});
