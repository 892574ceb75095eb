/**
 * The 22 TPC-H queries (specification v3, clause 2.4), with the
 * substitution parameters of the query validation (clause 2.4.x.4: the
 * values qgen uses with seed 0 for the answer set), each in two dialects:
 *
 * - `fairdb`: the official text in fairdb's language (issue 4): `date 'x'`,
 *   `interval 'n' day|month|year` arithmetic, `extract(year from x)`,
 *   `substring(x from a for b)`.
 * - `sqlite`: the same query for SQLite, where dates are 'YYYY-MM-DD' TEXT:
 *   date arithmetic precomputed to literals, `cast(strftime('%Y', x) as
 *   integer)` for extract, `substr(x, a, b)` for substring. Nothing else
 *   differs, so both texts ask for the same answer.
 *
 * Deliberate departures from the official text, identical in both dialects:
 * - Q1: `interval '90' day (3)` is written `interval '90' day` (the precision
 *   is not part of the language).
 * - Q6: `l_discount between 0.06 - 0.01 and 0.06 + 0.01` is written with the
 *   folded constants `0.05 and 0.07`. The specification computes in
 *   DECIMAL, where 0.06 + 0.01 = 0.07; in IEEE doubles (both engines) it is
 *   0.06999999999999999 < 0.07, which would silently drop every line with a
 *   7% discount from the answer.
 * - Q11: FRACTION is 0.0001 / SF, as clause 2.4.11.3 defines it (0.0001 at SF 1).
 * - Q13: the derived-table column list `as c_orders (c_custkey, c_count)` is
 *   written as an alias in the select list (`count(o_orderkey) as c_count`).
 * - Q15: the view `revenue0` is written out as a derived table in both places
 *   it is used (clause 2.5.3.4 allows this variant); no view is created.
 * - The row-count limit of Q2, Q3, Q10, Q18 and Q21 is written `limit n`.
 *
 * `orderKeys` lists the result columns (0-based) of the ORDER BY, so that
 * the comparator can accept different orders of rows that tie on them.
 */
import { assert } from '../../storage/device/index.js';
import type { TpchDialect } from './schema.js';

export interface TpchQuery {
  /** Query number, 1–22. */
  readonly n: number;
  /** The specification's name of the query. */
  readonly title: string;
  /** Result columns of the ORDER BY, in order; empty if the query has no ORDER BY. */
  readonly orderKeys: readonly number[];
  /** The text for fairdb's language. */
  readonly fairdb: string;
  /** The text for SQLite. */
  readonly sqlite: string;
}

export const tpchQueryNumbers: readonly number[] = Object.freeze(Array.from({ length: 22 }, (_, i) => i + 1));

/** Clause 2.4.11.3: Q11's FRACTION = 0.0001 / SF, as a literal with no binary noise. */
export function q11Fraction(sf: number): string {
  return String(Number((0.0001 / sf).toPrecision(10)));
}

/** The text of query `n` for a dialect at a scale factor (only Q11 depends on it). */
export function tpchQueryText(n: number, dialect: TpchDialect, sf: number): string {
  return tpchQuery(n, sf)[dialect];
}

/** Query `n` (1–22) with both texts, for a scale factor (only Q11 depends on it). */
export function tpchQuery(n: number, sf: number): TpchQuery {
  assert(Number.isInteger(n) && n >= 1 && n <= 22, `TPC-H query number in 1..22, got ${n}`);
  return (definitions[n - 1] as (sf: number) => TpchQuery)(sf);
}

type Definition = (sf: number) => TpchQuery;

const definitions: readonly Definition[] = [
  () => ({
    n: 1,
    title: 'Pricing Summary Report',
    orderKeys: [0, 1],
    fairdb: q1(`date '1998-12-01' - interval '90' day`),
    sqlite: q1(`'1998-09-02'`),
  }),
  () => ({
    n: 2,
    title: 'Minimum Cost Supplier',
    orderKeys: [0, 2, 1, 3],
    fairdb: q2,
    sqlite: q2,
  }),
  () => ({
    n: 3,
    title: 'Shipping Priority',
    orderKeys: [1, 2],
    fairdb: q3(`date '1995-03-15'`),
    sqlite: q3(`'1995-03-15'`),
  }),
  () => ({
    n: 4,
    title: 'Order Priority Checking',
    orderKeys: [0],
    fairdb: q4(`date '1993-07-01'`, `date '1993-07-01' + interval '3' month`),
    sqlite: q4(`'1993-07-01'`, `'1993-10-01'`),
  }),
  () => ({
    n: 5,
    title: 'Local Supplier Volume',
    orderKeys: [1],
    fairdb: q5(`date '1994-01-01'`, `date '1994-01-01' + interval '1' year`),
    sqlite: q5(`'1994-01-01'`, `'1995-01-01'`),
  }),
  () => ({
    n: 6,
    title: 'Forecasting Revenue Change',
    orderKeys: [],
    fairdb: q6(`date '1994-01-01'`, `date '1994-01-01' + interval '1' year`),
    sqlite: q6(`'1994-01-01'`, `'1995-01-01'`),
  }),
  () => ({
    n: 7,
    title: 'Volume Shipping',
    orderKeys: [0, 1, 2],
    fairdb: q7(`extract(year from l_shipdate)`, `date '1995-01-01'`, `date '1996-12-31'`),
    sqlite: q7(`cast(strftime('%Y', l_shipdate) as integer)`, `'1995-01-01'`, `'1996-12-31'`),
  }),
  () => ({
    n: 8,
    title: 'National Market Share',
    orderKeys: [0],
    fairdb: q8(`extract(year from o_orderdate)`, `date '1995-01-01'`, `date '1996-12-31'`),
    sqlite: q8(`cast(strftime('%Y', o_orderdate) as integer)`, `'1995-01-01'`, `'1996-12-31'`),
  }),
  () => ({
    n: 9,
    title: 'Product Type Profit Measure',
    orderKeys: [0, 1],
    fairdb: q9(`extract(year from o_orderdate)`),
    sqlite: q9(`cast(strftime('%Y', o_orderdate) as integer)`),
  }),
  () => ({
    n: 10,
    title: 'Returned Item Reporting',
    orderKeys: [2],
    fairdb: q10(`date '1993-10-01'`, `date '1993-10-01' + interval '3' month`),
    sqlite: q10(`'1993-10-01'`, `'1994-01-01'`),
  }),
  (sf) => ({
    n: 11,
    title: 'Important Stock Identification',
    orderKeys: [1],
    fairdb: q11(q11Fraction(sf)),
    sqlite: q11(q11Fraction(sf)),
  }),
  () => ({
    n: 12,
    title: 'Shipping Modes and Order Priority',
    orderKeys: [0],
    fairdb: q12(`date '1994-01-01'`, `date '1994-01-01' + interval '1' year`),
    sqlite: q12(`'1994-01-01'`, `'1995-01-01'`),
  }),
  () => ({
    n: 13,
    title: 'Customer Distribution',
    orderKeys: [1, 0],
    fairdb: q13,
    sqlite: q13,
  }),
  () => ({
    n: 14,
    title: 'Promotion Effect',
    orderKeys: [],
    fairdb: q14(`date '1995-09-01'`, `date '1995-09-01' + interval '1' month`),
    sqlite: q14(`'1995-09-01'`, `'1995-10-01'`),
  }),
  () => ({
    n: 15,
    title: 'Top Supplier',
    orderKeys: [0],
    fairdb: q15(`date '1996-01-01'`, `date '1996-01-01' + interval '3' month`),
    sqlite: q15(`'1996-01-01'`, `'1996-04-01'`),
  }),
  () => ({
    n: 16,
    title: 'Parts/Supplier Relationship',
    orderKeys: [3, 0, 1, 2],
    fairdb: q16,
    sqlite: q16,
  }),
  () => ({
    n: 17,
    title: 'Small-Quantity-Order Revenue',
    orderKeys: [],
    fairdb: q17,
    sqlite: q17,
  }),
  () => ({
    n: 18,
    title: 'Large Volume Customer',
    orderKeys: [4, 3],
    fairdb: q18,
    sqlite: q18,
  }),
  () => ({
    n: 19,
    title: 'Discounted Revenue',
    orderKeys: [],
    fairdb: q19,
    sqlite: q19,
  }),
  () => ({
    n: 20,
    title: 'Potential Part Promotion',
    orderKeys: [0],
    fairdb: q20(`date '1994-01-01'`, `date '1994-01-01' + interval '1' year`),
    sqlite: q20(`'1994-01-01'`, `'1995-01-01'`),
  }),
  () => ({
    n: 21,
    title: 'Suppliers Who Kept Orders Waiting',
    orderKeys: [1, 0],
    fairdb: q21,
    sqlite: q21,
  }),
  () => ({
    n: 22,
    title: 'Global Sales Opportunity',
    orderKeys: [0],
    fairdb: q22((x) => `substring(${x} from 1 for 2)`),
    sqlite: q22((x) => `substr(${x}, 1, 2)`),
  }),
];

// Q1, DELTA = 90.
const q1 = (shipdateMax: string) => `select
  l_returnflag,
  l_linestatus,
  sum(l_quantity) as sum_qty,
  sum(l_extendedprice) as sum_base_price,
  sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
  avg(l_quantity) as avg_qty,
  avg(l_extendedprice) as avg_price,
  avg(l_discount) as avg_disc,
  count(*) as count_order
from
  lineitem
where
  l_shipdate <= ${shipdateMax}
group by
  l_returnflag,
  l_linestatus
order by
  l_returnflag,
  l_linestatus`;

// Q2, SIZE = 15, TYPE = BRASS, REGION = EUROPE.
const q2 = `select
  s_acctbal,
  s_name,
  n_name,
  p_partkey,
  p_mfgr,
  s_address,
  s_phone,
  s_comment
from
  part,
  supplier,
  partsupp,
  nation,
  region
where
  p_partkey = ps_partkey
  and s_suppkey = ps_suppkey
  and p_size = 15
  and p_type like '%BRASS'
  and s_nationkey = n_nationkey
  and n_regionkey = r_regionkey
  and r_name = 'EUROPE'
  and ps_supplycost = (
    select
      min(ps_supplycost)
    from
      partsupp,
      supplier,
      nation,
      region
    where
      p_partkey = ps_partkey
      and s_suppkey = ps_suppkey
      and s_nationkey = n_nationkey
      and n_regionkey = r_regionkey
      and r_name = 'EUROPE'
  )
order by
  s_acctbal desc,
  n_name,
  s_name,
  p_partkey
limit 100`;

// Q3, SEGMENT = BUILDING, DATE = 1995-03-15.
const q3 = (date: string) => `select
  l_orderkey,
  sum(l_extendedprice * (1 - l_discount)) as revenue,
  o_orderdate,
  o_shippriority
from
  customer,
  orders,
  lineitem
where
  c_mktsegment = 'BUILDING'
  and c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate < ${date}
  and l_shipdate > ${date}
group by
  l_orderkey,
  o_orderdate,
  o_shippriority
order by
  revenue desc,
  o_orderdate
limit 10`;

// Q4, DATE = 1993-07-01.
const q4 = (from: string, to: string) => `select
  o_orderpriority,
  count(*) as order_count
from
  orders
where
  o_orderdate >= ${from}
  and o_orderdate < ${to}
  and exists (
    select
      *
    from
      lineitem
    where
      l_orderkey = o_orderkey
      and l_commitdate < l_receiptdate
  )
group by
  o_orderpriority
order by
  o_orderpriority`;

// Q5, REGION = ASIA, DATE = 1994-01-01.
const q5 = (from: string, to: string) => `select
  n_name,
  sum(l_extendedprice * (1 - l_discount)) as revenue
from
  customer,
  orders,
  lineitem,
  supplier,
  nation,
  region
where
  c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and l_suppkey = s_suppkey
  and c_nationkey = s_nationkey
  and s_nationkey = n_nationkey
  and n_regionkey = r_regionkey
  and r_name = 'ASIA'
  and o_orderdate >= ${from}
  and o_orderdate < ${to}
group by
  n_name
order by
  revenue desc`;

// Q6, DATE = 1994-01-01, DISCOUNT = 0.06 (folded: see the header), QUANTITY = 24.
const q6 = (from: string, to: string) => `select
  sum(l_extendedprice * l_discount) as revenue
from
  lineitem
where
  l_shipdate >= ${from}
  and l_shipdate < ${to}
  and l_discount between 0.05 and 0.07
  and l_quantity < 24`;

// Q7, NATION1 = FRANCE, NATION2 = GERMANY.
const q7 = (year: string, from: string, to: string) => `select
  supp_nation,
  cust_nation,
  l_year,
  sum(volume) as revenue
from
  (
    select
      n1.n_name as supp_nation,
      n2.n_name as cust_nation,
      ${year} as l_year,
      l_extendedprice * (1 - l_discount) as volume
    from
      supplier,
      lineitem,
      orders,
      customer,
      nation n1,
      nation n2
    where
      s_suppkey = l_suppkey
      and o_orderkey = l_orderkey
      and c_custkey = o_custkey
      and s_nationkey = n1.n_nationkey
      and c_nationkey = n2.n_nationkey
      and (
        (n1.n_name = 'FRANCE' and n2.n_name = 'GERMANY')
        or (n1.n_name = 'GERMANY' and n2.n_name = 'FRANCE')
      )
      and l_shipdate between ${from} and ${to}
  ) as shipping
group by
  supp_nation,
  cust_nation,
  l_year
order by
  supp_nation,
  cust_nation,
  l_year`;

// Q8, NATION = BRAZIL, REGION = AMERICA, TYPE = ECONOMY ANODIZED STEEL.
const q8 = (year: string, from: string, to: string) => `select
  o_year,
  sum(case
    when nation = 'BRAZIL' then volume
    else 0
  end) / sum(volume) as mkt_share
from
  (
    select
      ${year} as o_year,
      l_extendedprice * (1 - l_discount) as volume,
      n2.n_name as nation
    from
      part,
      supplier,
      lineitem,
      orders,
      customer,
      nation n1,
      nation n2,
      region
    where
      p_partkey = l_partkey
      and s_suppkey = l_suppkey
      and l_orderkey = o_orderkey
      and o_custkey = c_custkey
      and c_nationkey = n1.n_nationkey
      and n1.n_regionkey = r_regionkey
      and r_name = 'AMERICA'
      and s_nationkey = n2.n_nationkey
      and o_orderdate between ${from} and ${to}
      and p_type = 'ECONOMY ANODIZED STEEL'
  ) as all_nations
group by
  o_year
order by
  o_year`;

// Q9, COLOR = green.
const q9 = (year: string) => `select
  nation,
  o_year,
  sum(amount) as sum_profit
from
  (
    select
      n_name as nation,
      ${year} as o_year,
      l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity as amount
    from
      part,
      supplier,
      lineitem,
      partsupp,
      orders,
      nation
    where
      s_suppkey = l_suppkey
      and ps_suppkey = l_suppkey
      and ps_partkey = l_partkey
      and p_partkey = l_partkey
      and o_orderkey = l_orderkey
      and s_nationkey = n_nationkey
      and p_name like '%green%'
  ) as profit
group by
  nation,
  o_year
order by
  nation,
  o_year desc`;

// Q10, DATE = 1993-10-01.
const q10 = (from: string, to: string) => `select
  c_custkey,
  c_name,
  sum(l_extendedprice * (1 - l_discount)) as revenue,
  c_acctbal,
  n_name,
  c_address,
  c_phone,
  c_comment
from
  customer,
  orders,
  lineitem,
  nation
where
  c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate >= ${from}
  and o_orderdate < ${to}
  and l_returnflag = 'R'
  and c_nationkey = n_nationkey
group by
  c_custkey,
  c_name,
  c_acctbal,
  c_phone,
  n_name,
  c_address,
  c_comment
order by
  revenue desc
limit 20`;

// Q11, NATION = GERMANY, FRACTION = 0.0001 / SF.
const q11 = (fraction: string) => `select
  ps_partkey,
  sum(ps_supplycost * ps_availqty) as value
from
  partsupp,
  supplier,
  nation
where
  ps_suppkey = s_suppkey
  and s_nationkey = n_nationkey
  and n_name = 'GERMANY'
group by
  ps_partkey
having
  sum(ps_supplycost * ps_availqty) > (
    select
      sum(ps_supplycost * ps_availqty) * ${fraction}
    from
      partsupp,
      supplier,
      nation
    where
      ps_suppkey = s_suppkey
      and s_nationkey = n_nationkey
      and n_name = 'GERMANY'
  )
order by
  value desc`;

// Q12, SHIPMODE1 = MAIL, SHIPMODE2 = SHIP, DATE = 1994-01-01.
const q12 = (from: string, to: string) => `select
  l_shipmode,
  sum(case
    when o_orderpriority = '1-URGENT'
      or o_orderpriority = '2-HIGH'
      then 1
    else 0
  end) as high_line_count,
  sum(case
    when o_orderpriority <> '1-URGENT'
      and o_orderpriority <> '2-HIGH'
      then 1
    else 0
  end) as low_line_count
from
  orders,
  lineitem
where
  o_orderkey = l_orderkey
  and l_shipmode in ('MAIL', 'SHIP')
  and l_commitdate < l_receiptdate
  and l_shipdate < l_commitdate
  and l_receiptdate >= ${from}
  and l_receiptdate < ${to}
group by
  l_shipmode
order by
  l_shipmode`;

// Q13, WORD1 = special, WORD2 = requests.
const q13 = `select
  c_count,
  count(*) as custdist
from
  (
    select
      c_custkey,
      count(o_orderkey) as c_count
    from
      customer left outer join orders on
        c_custkey = o_custkey
        and o_comment not like '%special%requests%'
    group by
      c_custkey
  ) as c_orders
group by
  c_count
order by
  custdist desc,
  c_count desc`;

// Q14, DATE = 1995-09-01.
const q14 = (from: string, to: string) => `select
  100.00 * sum(case
    when p_type like 'PROMO%'
      then l_extendedprice * (1 - l_discount)
    else 0
  end) / sum(l_extendedprice * (1 - l_discount)) as promo_revenue
from
  lineitem,
  part
where
  l_partkey = p_partkey
  and l_shipdate >= ${from}
  and l_shipdate < ${to}`;

// Q15, DATE = 1996-01-01; the view revenue0 written out twice (see the header).
const q15 = (from: string, to: string) => {
  const revenue = `select
      l_suppkey as supplier_no,
      sum(l_extendedprice * (1 - l_discount)) as total_revenue
    from
      lineitem
    where
      l_shipdate >= ${from}
      and l_shipdate < ${to}
    group by
      l_suppkey`;
  return `select
  s_suppkey,
  s_name,
  s_address,
  s_phone,
  total_revenue
from
  supplier,
  (
    ${revenue}
  ) as revenue0
where
  s_suppkey = supplier_no
  and total_revenue = (
    select
      max(total_revenue)
    from
      (
    ${revenue}
      ) as revenue1
  )
order by
  s_suppkey`;
};

// Q16, BRAND = Brand#45, TYPE = MEDIUM POLISHED, SIZE1..8 = 49, 14, 23, 45, 19, 3, 36, 9.
const q16 = `select
  p_brand,
  p_type,
  p_size,
  count(distinct ps_suppkey) as supplier_cnt
from
  partsupp,
  part
where
  p_partkey = ps_partkey
  and p_brand <> 'Brand#45'
  and p_type not like 'MEDIUM POLISHED%'
  and p_size in (49, 14, 23, 45, 19, 3, 36, 9)
  and ps_suppkey not in (
    select
      s_suppkey
    from
      supplier
    where
      s_comment like '%Customer%Complaints%'
  )
group by
  p_brand,
  p_type,
  p_size
order by
  supplier_cnt desc,
  p_brand,
  p_type,
  p_size`;

// Q17, BRAND = Brand#23, CONTAINER = MED BOX.
const q17 = `select
  sum(l_extendedprice) / 7.0 as avg_yearly
from
  lineitem,
  part
where
  p_partkey = l_partkey
  and p_brand = 'Brand#23'
  and p_container = 'MED BOX'
  and l_quantity < (
    select
      0.2 * avg(l_quantity)
    from
      lineitem
    where
      l_partkey = p_partkey
  )`;

// Q18, QUANTITY = 300.
const q18 = `select
  c_name,
  c_custkey,
  o_orderkey,
  o_orderdate,
  o_totalprice,
  sum(l_quantity)
from
  customer,
  orders,
  lineitem
where
  o_orderkey in (
    select
      l_orderkey
    from
      lineitem
    group by
      l_orderkey
    having
      sum(l_quantity) > 300
  )
  and c_custkey = o_custkey
  and o_orderkey = l_orderkey
group by
  c_name,
  c_custkey,
  o_orderkey,
  o_orderdate,
  o_totalprice
order by
  o_totalprice desc,
  o_orderdate
limit 100`;

// Q19, QUANTITY1 = 1, QUANTITY2 = 10, QUANTITY3 = 20, BRAND1 = Brand#12, BRAND2 = Brand#23, BRAND3 = Brand#34.
const q19 = `select
  sum(l_extendedprice * (1 - l_discount)) as revenue
from
  lineitem,
  part
where
  (
    p_partkey = l_partkey
    and p_brand = 'Brand#12'
    and p_container in ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
    and l_quantity >= 1 and l_quantity <= 1 + 10
    and p_size between 1 and 5
    and l_shipmode in ('AIR', 'AIR REG')
    and l_shipinstruct = 'DELIVER IN PERSON'
  )
  or
  (
    p_partkey = l_partkey
    and p_brand = 'Brand#23'
    and p_container in ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
    and l_quantity >= 10 and l_quantity <= 10 + 10
    and p_size between 1 and 10
    and l_shipmode in ('AIR', 'AIR REG')
    and l_shipinstruct = 'DELIVER IN PERSON'
  )
  or
  (
    p_partkey = l_partkey
    and p_brand = 'Brand#34'
    and p_container in ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
    and l_quantity >= 20 and l_quantity <= 20 + 10
    and p_size between 1 and 15
    and l_shipmode in ('AIR', 'AIR REG')
    and l_shipinstruct = 'DELIVER IN PERSON'
  )`;

// Q20, COLOR = forest, DATE = 1994-01-01, NATION = CANADA.
const q20 = (from: string, to: string) => `select
  s_name,
  s_address
from
  supplier,
  nation
where
  s_suppkey in (
    select
      ps_suppkey
    from
      partsupp
    where
      ps_partkey in (
        select
          p_partkey
        from
          part
        where
          p_name like 'forest%'
      )
      and ps_availqty > (
        select
          0.5 * sum(l_quantity)
        from
          lineitem
        where
          l_partkey = ps_partkey
          and l_suppkey = ps_suppkey
          and l_shipdate >= ${from}
          and l_shipdate < ${to}
      )
  )
  and s_nationkey = n_nationkey
  and n_name = 'CANADA'
order by
  s_name`;

// Q21, NATION = SAUDI ARABIA.
const q21 = `select
  s_name,
  count(*) as numwait
from
  supplier,
  lineitem l1,
  orders,
  nation
where
  s_suppkey = l1.l_suppkey
  and o_orderkey = l1.l_orderkey
  and o_orderstatus = 'F'
  and l1.l_receiptdate > l1.l_commitdate
  and exists (
    select
      *
    from
      lineitem l2
    where
      l2.l_orderkey = l1.l_orderkey
      and l2.l_suppkey <> l1.l_suppkey
  )
  and not exists (
    select
      *
    from
      lineitem l3
    where
      l3.l_orderkey = l1.l_orderkey
      and l3.l_suppkey <> l1.l_suppkey
      and l3.l_receiptdate > l3.l_commitdate
  )
  and s_nationkey = n_nationkey
  and n_name = 'SAUDI ARABIA'
group by
  s_name
order by
  numwait desc,
  s_name
limit 100`;

// Q22, I1..I7 = 13, 31, 23, 29, 30, 18, 17.
const q22 = (countryCode: (column: string) => string) => `select
  cntrycode,
  count(*) as numcust,
  sum(c_acctbal) as totacctbal
from
  (
    select
      ${countryCode('c_phone')} as cntrycode,
      c_acctbal
    from
      customer
    where
      ${countryCode('c_phone')} in ('13', '31', '23', '29', '30', '18', '17')
      and c_acctbal > (
        select
          avg(c_acctbal)
        from
          customer
        where
          c_acctbal > 0.00
          and ${countryCode('c_phone')} in ('13', '31', '23', '29', '30', '18', '17')
      )
      and not exists (
        select
          *
        from
          orders
        where
          o_custkey = c_custkey
      )
  ) as custsale
group by
  cntrycode
order by
  cntrycode`;
