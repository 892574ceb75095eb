/**
 * Seeded TPC-H data generator (specification v3, clause 4.2).
 *
 * Deterministic for (scale factor, seed): every table draws from its own
 * random stream, forked in a fixed order from `seededRandom(seed)`, so a
 * table's rows do not depend on which other tables are generated, on the
 * batch size, or on how many times the data is iterated. Each call of
 * `batches()` starts over and yields the same rows, which is how the same
 * data goes into every engine without ever being held in memory at once.
 *
 * Rows come out column-oriented, a batch at a time (`TpchBatch`); at SF 1 the
 * largest table has about six million rows, and none is ever materialised
 * as row objects.
 *
 * Cardinalities (clause 4.2.5.1, SF = scale factor): SUPPLIER 10,000 x SF,
 * PART 200,000 x SF, PARTSUPP 4 per part, CUSTOMER 150,000 x SF, ORDERS
 * 1,500,000 x SF (ten per customer), LINEITEM 1 to 7 per order (about
 * 6,000,000 x SF), NATION 25, REGION 5.
 */
import { assert, OptionsViolations, seededRandom, type Random } from '../../storage/device/index.js';
import { currentDay, orderDayMax, startDay } from './dates.js';
import {
  colors,
  containerSyllable1,
  containerSyllable2,
  instructions,
  nations,
  priorities,
  regions,
  segments,
  shipModes,
  typeSyllable1,
  typeSyllable2,
  typeSyllable3,
} from './distributions.js';
import { tpchTableNames, tpchTables, type TpchTableName } from './schema.js';
import { commentCharsMax, TextPool, textPoolCharsDefault } from './text-pool.js';

/** Smallest scale factor: 100 suppliers, so that the PARTSUPP supplier formula stays a permutation. */
export const sfMin = 0.01;
/** Largest scale factor: order keys (4 x 1,500,000 x SF) must stay within 32-bit columns. */
export const sfMax = 100;
/**
 * Most rows per batch (orders or parts). A LINEITEM batch holds up to 7 times
 * as many rows, in 16 columns: at this limit its arrays take about 50 MB.
 */
export const batchRowsMax = 1 << 16;
/** Largest text pool, in characters (the specification's own pool is 300 MB). */
export const textPoolCharsMax = 300 * 1024 * 1024;

export interface TpchGeneratorOptions {
  /** TPC-H scale factor (1 = the 1 GB database, about 8.7 million rows). Range [`sfMin`, `sfMax`]. Default 1. */
  sf?: number;
  /** Seed of all random streams; any safe integer. Default 1. */
  seed?: number;
  /**
   * Rows per batch: orders per ORDERS batch (its LINEITEM batch has 1–7 lines
   * per order) and parts per PART batch (its PARTSUPP batch has 4 per part);
   * other tables likewise. Range [1, `batchRowsMax`]. Default 8,192.
   */
  batchRows?: number;
  /** Length of the comment text pool in characters. Range [`commentCharsMax` + 1, `textPoolCharsMax`]. Default 4 MiB. */
  textPoolChars?: number;
}

interface ResolvedOptions {
  readonly sf: number;
  readonly seed: number;
  readonly batchRows: number;
  readonly textPoolChars: number;
}

/** One column of a batch: `Int32Array` for int and date (day numbers), `Float64Array` for real, `string[]` for text. */
export type TpchColumnData = Int32Array | Float64Array | string[];

/**
 * Rows `0 .. rowCount - 1` of one table, one array per column in the order of
 * `tpchTables[table].columns`.
 *
 * IMPORTANT: the arrays are reused for the next batch of the same table and
 * may be longer than `rowCount`; copy what you keep before asking for the
 * next batch.
 */
export interface TpchBatch {
  readonly table: TpchTableName;
  readonly rowCount: number;
  readonly columns: readonly TpchColumnData[];
}

export interface TpchBatchesOptions {
  /** Tables to yield, in any order (they come out in load order). Default: all eight. */
  tables?: readonly TpchTableName[];
}

/** A TPC-H database description that can be generated as many times as needed. */
export interface TpchData {
  readonly sf: number;
  readonly seed: number;
  /**
   * Rows per table. Exact except for LINEITEM, whose count is random (1–7
   * lines per order); for it this is the expectation, 4 per order.
   */
  readonly rowCounts: Readonly<Record<TpchTableName, number>>;
  /** Generates the tables from the start, a batch at a time, in load order. */
  batches(options?: TpchBatchesOptions): IterableIterator<TpchBatch>;
}

/** Row counts of clause 4.2.5.1 at a scale factor. */
export function tpchRowCounts(sf: number): Record<TpchTableName, number> {
  const orders = Math.round(sf * 1_500_000);
  const part = Math.round(sf * 200_000);
  return {
    region: 5,
    nation: 25,
    supplier: Math.round(sf * 10_000),
    customer: Math.round(sf * 150_000),
    part,
    partsupp: part * 4,
    orders,
    lineitem: orders * 4,
  };
}

function resolveOptions(options: TpchGeneratorOptions): ResolvedOptions {
  const resolved = {
    sf: options.sf ?? 1,
    seed: options.seed ?? 1,
    batchRows: options.batchRows ?? 8192,
    textPoolChars: options.textPoolChars ?? textPoolCharsDefault,
  };
  const v = new OptionsViolations('TPC-H generator options');
  v.check(Number.isFinite(resolved.sf) && resolved.sf >= sfMin && resolved.sf <= sfMax, `sf must be in [${sfMin}, ${sfMax}], got ${resolved.sf}`);
  v.check(Number.isSafeInteger(resolved.seed), `seed must be a safe integer, got ${resolved.seed}`);
  v.check(
    Number.isSafeInteger(resolved.batchRows) && resolved.batchRows >= 1 && resolved.batchRows <= batchRowsMax,
    `batchRows must be an integer in [1, ${batchRowsMax}], got ${resolved.batchRows}`,
  );
  v.check(
    Number.isSafeInteger(resolved.textPoolChars) && resolved.textPoolChars > commentCharsMax && resolved.textPoolChars <= textPoolCharsMax,
    `textPoolChars must be an integer in [${commentCharsMax + 1}, ${textPoolCharsMax}], got ${resolved.textPoolChars}`,
  );
  if (Number.isFinite(resolved.sf) && resolved.sf >= sfMin && resolved.sf <= sfMax) {
    const counts = tpchRowCounts(resolved.sf);
    const clash = supplierFormulaClash(counts.part, counts.supplier);
    v.check(clash === undefined, `sf ${resolved.sf} gives ${counts.supplier} suppliers, for which the PARTSUPP supplier formula repeats a supplier (${clash})`);
  }
  v.throwIfAny();
  return Object.freeze(resolved);
}

/**
 * Clause 4.2.3: the i-th supplier of part p is
 * (p + i x (S/4 + (p-1)/S)) mod S + 1 for i in 0..3 (integer divisions).
 * The four must differ, or PARTSUPP's primary key would repeat; they differ
 * iff no step k x (S/4 + j), k in 1..3, is a multiple of S. Returns a
 * description of the first clash, or undefined.
 */
function supplierFormulaClash(parts: number, suppliers: number): string | undefined {
  const quarter = Math.floor(suppliers / 4);
  const jMax = Math.floor((parts - 1) / suppliers);
  for (let j = 0; j <= jMax; j++) {
    const step = quarter + j;
    for (let k = 1; k <= 3; k++) if ((k * step) % suppliers === 0) return `step ${step} x ${k}`;
  }
  return undefined;
}

/** The supplier key of the i-th (0..3) supplier of a part (clause 4.2.3, PS_SUPPKEY and L_SUPPKEY). */
export function partSupplierKey(partKey: number, i: number, suppliers: number): number {
  return ((partKey + i * (Math.floor(suppliers / 4) + Math.floor((partKey - 1) / suppliers))) % suppliers) + 1;
}

/** Clause 4.2.3, P_RETAILPRICE in cents: 90000 + ((key / 10) mod 20001) + 100 x (key mod 1000). */
export function retailPriceCents(partKey: number): number {
  return 90000 + (Math.floor(partKey / 10) % 20001) + 100 * (partKey % 1000);
}

/**
 * Clause 4.2.3, O_ORDERKEY: sparse keys — of every 32 consecutive key values
 * only the first 8 are used. `index` counts orders from 0.
 */
export function orderKeyOf(index: number): number {
  return Math.floor(index / 8) * 32 + (index % 8) + 1;
}

/** Creates a TPC-H data description; throws InvalidArgumentError listing every bad option. */
export function tpchData(options: TpchGeneratorOptions = {}): TpchData {
  const resolved = resolveOptions(options);
  const rowCounts = Object.freeze(tpchRowCounts(resolved.sf));
  let pool: TextPool | undefined;
  return Object.freeze({
    sf: resolved.sf,
    seed: resolved.seed,
    rowCounts,
    batches(batchOptions: TpchBatchesOptions = {}): IterableIterator<TpchBatch> {
      const wanted = new Set<TpchTableName>(batchOptions.tables ?? tpchTableNames);
      for (const name of wanted) assert(tpchTableNames.includes(name), `unknown TPC-H table ${String(name)}`);
      const root = seededRandom(resolved.seed);
      // The forks are taken in this fixed order whatever is wanted, so that
      // each table's stream depends on the seed alone.
      const poolRandom = root.fork();
      const streams = {
        region: root.fork(),
        nation: root.fork(),
        supplier: root.fork(),
        customer: root.fork(),
        part: root.fork(),
        orders: root.fork(),
      };
      // The pool is a pure function of the seed; build it once per data set.
      pool ??= new TextPool(poolRandom, resolved.textPoolChars);
      return generateAll(resolved, rowCounts, pool, streams, wanted);
    },
  });
}

interface Streams {
  readonly region: Random;
  readonly nation: Random;
  readonly supplier: Random;
  readonly customer: Random;
  readonly part: Random;
  readonly orders: Random;
}

function* generateAll(
  options: ResolvedOptions,
  counts: Readonly<Record<TpchTableName, number>>,
  pool: TextPool,
  streams: Streams,
  wanted: ReadonlySet<TpchTableName>,
): Generator<TpchBatch> {
  if (wanted.has('region')) yield regionBatch(pool, streams.region);
  if (wanted.has('nation')) yield nationBatch(pool, streams.nation);
  if (wanted.has('supplier')) yield* supplierBatches(options, counts.supplier, pool, streams.supplier);
  if (wanted.has('customer')) yield* customerBatches(options, counts.customer, pool, streams.customer);
  if (wanted.has('part') || wanted.has('partsupp')) {
    yield* partBatches(options, counts, pool, streams.part, wanted.has('part'), wanted.has('partsupp'));
  }
  if (wanted.has('orders') || wanted.has('lineitem')) {
    yield* orderBatches(options, counts, pool, streams.orders, wanted.has('orders'), wanted.has('lineitem'));
  }
}

function columnsFor(name: TpchTableName, capacity: number): TpchColumnData[] {
  return tpchTables[name].columns.map((c) => (c.kind === 'real' ? new Float64Array(capacity) : c.kind === 'text' ? new Array<string>(capacity).fill('') : new Int32Array(capacity)));
}

function regionBatch(pool: TextPool, random: Random): TpchBatch {
  const columns = columnsFor('region', regions.length);
  const [key, name, comment] = columns as [Int32Array, string[], string[]];
  regions.forEach((r, i) => {
    key[i] = i;
    name[i] = r;
    comment[i] = pool.comment(random, 31, 115); // Clause 4.2.3: R_COMMENT text [31, 115].
  });
  return { table: 'region', rowCount: regions.length, columns };
}

function nationBatch(pool: TextPool, random: Random): TpchBatch {
  const columns = columnsFor('nation', nations.length);
  const [key, name, regionKey, comment] = columns as [Int32Array, string[], Int32Array, string[]];
  nations.forEach(([n, r], i) => {
    key[i] = i;
    name[i] = n;
    regionKey[i] = r;
    comment[i] = pool.comment(random, 31, 114); // Clause 4.2.3: N_COMMENT text [31, 114].
  });
  return { table: 'nation', rowCount: nations.length, columns };
}

/** Clause 4.2.2.7: characters of a "random v-string" (at least 64 symbols). */
const vStringAlphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,.';

/** Clause 4.2.2.7: random v-string [min, max]. */
function vString(random: Random, min: number, max: number): string {
  const length = random.int(min, max);
  let s = '';
  for (let i = 0; i < length; i++) s += vStringAlphabet[random.int(0, vStringAlphabet.length - 1)];
  return s;
}

/** Clause 4.2.2.9: phone number "CC-LLL-LLL-LLLL" with country code nation key + 10. */
function phone(random: Random, nationKey: number): string {
  return `${nationKey + 10}-${random.int(100, 999)}-${random.int(100, 999)}-${random.int(1000, 9999)}`;
}

/** Clause 4.2.3: "Supplier#" / "Customer#" / "Clerk#" followed by the key on 9 digits. */
function numbered(prefix: string, key: number): string {
  return prefix + String(key).padStart(9, '0');
}

/** Clause 4.2.3: S_ACCTBAL and C_ACCTBAL, random value in [-999.99, 9999.99]. */
function accountBalance(random: Random): number {
  return random.int(-99_999, 999_999) / 100;
}

const betterBusinessBureau = 'Customer ';
const complaints = 'Complaints';
const recommends = 'Recommends';

/**
 * Clause 4.2.3, S_COMMENT: SF x 5 suppliers hold "Customer%Complaints" and as
 * many others "Customer%Recommends" at a random position, where % is a run of
 * the comment's own text of random length. The comment keeps its length.
 */
function withReview(random: Random, comment: string, verdict: string): string {
  const fixed = betterBusinessBureau.length + verdict.length;
  assert(comment.length >= fixed, 'S_COMMENT is at least 25 characters');
  const noise = random.int(0, comment.length - fixed);
  const offset = random.int(0, comment.length - fixed - noise);
  const afterBase = offset + betterBusinessBureau.length;
  return (
    comment.slice(0, offset) +
    betterBusinessBureau +
    comment.slice(afterBase, afterBase + noise) +
    verdict +
    comment.slice(afterBase + noise + verdict.length)
  );
}

/**
 * Suppliers with a review: SF x 5 of each kind, rounded, but at least one of
 * each so that Q16's NOT IN has something to exclude at small scale factors
 * (at SF 0.01 that is 1 supplier in 100 instead of the specification's 1 in 2,000).
 */
export function reviewedSuppliers(sf: number): number {
  return Math.max(1, Math.round(sf * 5));
}

function* supplierBatches(options: ResolvedOptions, total: number, pool: TextPool, random: Random): Generator<TpchBatch> {
  const capacity = Math.min(options.batchRows, total);
  const columns = columnsFor('supplier', capacity);
  const [key, name, address, nationKey, phoneCol, balance, comment] = columns as [
    Int32Array, string[], string[], Int32Array, string[], Float64Array, string[],
  ];
  // Selection sampling (Knuth's algorithm S) picks exactly `reviewed` rows of
  // each kind, uniformly, in one streaming pass.
  let complaintsLeft = reviewedSuppliers(options.sf);
  let recommendsLeft = complaintsLeft;
  assert(complaintsLeft + recommendsLeft <= total, 'reviews fit in the supplier table');
  for (let start = 0; start < total; start += capacity) {
    const rows = Math.min(capacity, total - start);
    for (let i = 0; i < rows; i++) {
      const k = start + i + 1;
      key[i] = k;
      name[i] = numbered('Supplier#', k);
      address[i] = vString(random, 10, 40); // Clause 4.2.3: S_ADDRESS random v-string [10, 40].
      const nation = random.int(0, 24);
      nationKey[i] = nation;
      phoneCol[i] = phone(random, nation);
      balance[i] = accountBalance(random);
      let text = pool.comment(random, 25, 100); // Clause 4.2.3: S_COMMENT text [25, 100].
      const pick = random.int(0, total - k); // uniform over the rows not yet visited
      if (pick < complaintsLeft) {
        text = withReview(random, text, complaints);
        complaintsLeft--;
      } else if (pick < complaintsLeft + recommendsLeft) {
        text = withReview(random, text, recommends);
        recommendsLeft--;
      }
      comment[i] = text;
    }
    yield { table: 'supplier', rowCount: rows, columns };
  }
  assert(complaintsLeft === 0 && recommendsLeft === 0, 'selection sampling places every review');
}

function* customerBatches(options: ResolvedOptions, total: number, pool: TextPool, random: Random): Generator<TpchBatch> {
  const capacity = Math.min(options.batchRows, total);
  const columns = columnsFor('customer', capacity);
  const [key, name, address, nationKey, phoneCol, balance, segment, comment] = columns as [
    Int32Array, string[], string[], Int32Array, string[], Float64Array, string[], string[],
  ];
  for (let start = 0; start < total; start += capacity) {
    const rows = Math.min(capacity, total - start);
    for (let i = 0; i < rows; i++) {
      const k = start + i + 1;
      key[i] = k;
      name[i] = numbered('Customer#', k);
      address[i] = vString(random, 10, 40); // Clause 4.2.3: C_ADDRESS random v-string [10, 40].
      const nation = random.int(0, 24);
      nationKey[i] = nation;
      phoneCol[i] = phone(random, nation);
      balance[i] = accountBalance(random);
      segment[i] = segments[random.int(0, segments.length - 1)] as string;
      comment[i] = pool.comment(random, 29, 116); // Clause 4.2.3: C_COMMENT text [29, 116].
    }
    yield { table: 'customer', rowCount: rows, columns };
  }
}

// Every P_TYPE, P_CONTAINER, P_MFGR and P_BRAND value, built once so that a
// row picks an index instead of concatenating strings.
const partTypes: readonly string[] = Object.freeze(
  typeSyllable1.flatMap((a) => typeSyllable2.flatMap((b) => typeSyllable3.map((c) => `${a} ${b} ${c}`))),
);
const partContainers: readonly string[] = Object.freeze(containerSyllable1.flatMap((a) => containerSyllable2.map((b) => `${a} ${b}`)));
const manufacturers: readonly string[] = Object.freeze([1, 2, 3, 4, 5].map((m) => `Manufacturer#${m}`));
const brands: readonly string[] = Object.freeze([1, 2, 3, 4, 5].flatMap((m) => [1, 2, 3, 4, 5].map((n) => `Brand#${m}${n}`)));

function* partBatches(
  options: ResolvedOptions,
  counts: Readonly<Record<TpchTableName, number>>,
  pool: TextPool,
  random: Random,
  yieldPart: boolean,
  yieldPartsupp: boolean,
): Generator<TpchBatch> {
  const total = counts.part;
  const suppliers = counts.supplier;
  const capacity = Math.min(options.batchRows, total);
  const partColumns = columnsFor('part', capacity);
  const [key, name, mfgr, brand, type, size, container, price, comment] = partColumns as [
    Int32Array, string[], string[], string[], string[], Int32Array, string[], Float64Array, string[],
  ];
  const psColumns = columnsFor('partsupp', capacity * 4);
  const [psPart, psSupp, psAvail, psCost, psComment] = psColumns as [Int32Array, Int32Array, Int32Array, Float64Array, string[]];
  // Indices of the colour words; a partial Fisher-Yates shuffle of its first
  // five slots draws five distinct colours (clause 4.2.3, P_NAME) whatever
  // order earlier rows left it in.
  const colorOrder = Uint8Array.from(colors, (_, i) => i);
  for (let start = 0; start < total; start += capacity) {
    const rows = Math.min(capacity, total - start);
    for (let i = 0; i < rows; i++) {
      const k = start + i + 1;
      key[i] = k;
      let words = '';
      for (let w = 0; w < 5; w++) {
        const j = random.int(w, colorOrder.length - 1);
        const picked = colorOrder[j] as number;
        colorOrder[j] = colorOrder[w] as number;
        colorOrder[w] = picked;
        words = w === 0 ? (colors[picked] as string) : `${words} ${colors[picked] as string}`;
      }
      name[i] = words;
      const m = random.int(1, 5); // Clause 4.2.3: P_MFGR "Manufacturer#M", M in [1, 5].
      mfgr[i] = manufacturers[m - 1] as string;
      brand[i] = brands[(m - 1) * 5 + random.int(0, 4)] as string; // P_BRAND "Brand#MN", N in [1, 5].
      type[i] = partTypes[random.int(0, partTypes.length - 1)] as string;
      size[i] = random.int(1, 50);
      container[i] = partContainers[random.int(0, partContainers.length - 1)] as string;
      price[i] = retailPriceCents(k) / 100;
      comment[i] = pool.comment(random, 5, 22); // Clause 4.2.3: P_COMMENT text [5, 22].
      // Clause 4.2.3, PARTSUPP: four rows per part, one per supplier of the formula.
      for (let s = 0; s < 4; s++) {
        const r = i * 4 + s;
        psPart[r] = k;
        psSupp[r] = partSupplierKey(k, s, suppliers);
        psAvail[r] = random.int(1, 9999);
        psCost[r] = random.int(100, 100_000) / 100; // PS_SUPPLYCOST in [1.00, 1000.00].
        psComment[r] = pool.comment(random, 49, 198); // PS_COMMENT text [49, 198].
      }
    }
    if (yieldPart) yield { table: 'part', rowCount: rows, columns: partColumns };
    if (yieldPartsupp) yield { table: 'partsupp', rowCount: rows * 4, columns: psColumns };
  }
}

const linesPerOrderMax = 7;

function* orderBatches(
  options: ResolvedOptions,
  counts: Readonly<Record<TpchTableName, number>>,
  pool: TextPool,
  random: Random,
  yieldOrders: boolean,
  yieldLineitem: boolean,
): Generator<TpchBatch> {
  const total = counts.orders;
  const parts = counts.part;
  const suppliers = counts.supplier;
  const customers = counts.customer;
  // Clause 4.2.3, O_CUSTKEY: customers whose key is a multiple of 3 place no
  // orders. Draw uniformly among the others: the k-th such key (from 0) is
  // 3 x floor(k / 2) + (k mod 2) + 1.
  const orderingCustomers = customers - Math.floor(customers / 3);
  const clerks = Math.max(1, Math.round(options.sf * 1000)); // O_CLERK "Clerk#" + [1, SF x 1000].
  const capacity = Math.min(options.batchRows, total);
  const orderColumns = columnsFor('orders', capacity);
  const [oKey, oCust, oStatus, oTotal, oDate, oPriority, oClerk, oShipPriority, oComment] = orderColumns as [
    Int32Array, Int32Array, string[], Float64Array, Int32Array, string[], string[], Int32Array, string[],
  ];
  const lineColumns = columnsFor('lineitem', capacity * linesPerOrderMax);
  const [lOrder, lPart, lSupp, lNumber, lQuantity, lPrice, lDiscount, lTax, lReturn, lStatus, lShip, lCommit, lReceipt, lInstruct, lMode, lComment] =
    lineColumns as [
      Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array, Float64Array,
      string[], string[], Int32Array, Int32Array, Int32Array, string[], string[], string[],
    ];
  for (let start = 0; start < total; start += capacity) {
    const rows = Math.min(capacity, total - start);
    let line = 0;
    for (let i = 0; i < rows; i++) {
      const orderKey = orderKeyOf(start + i);
      const c = random.int(0, orderingCustomers - 1);
      const orderDay = random.int(startDay, orderDayMax);
      oKey[i] = orderKey;
      oCust[i] = 3 * Math.floor(c / 2) + (c % 2) + 1;
      oDate[i] = orderDay;
      oPriority[i] = priorities[random.int(0, priorities.length - 1)] as string;
      oClerk[i] = numbered('Clerk#', random.int(1, clerks));
      oShipPriority[i] = 0;
      oComment[i] = pool.comment(random, 19, 78); // Clause 4.2.3: O_COMMENT text [19, 78].
      const lines = random.int(1, linesPerOrderMax);
      let totalCents = 0;
      let shipped = 0;
      for (let n = 1; n <= lines; n++, line++) {
        const partKey = random.int(1, parts);
        const quantity = random.int(1, 50);
        const discount = random.int(0, 10); // L_DISCOUNT in [0.00, 0.10], in hundredths.
        const tax = random.int(0, 8); // L_TAX in [0.00, 0.08], in hundredths.
        const priceCents = quantity * retailPriceCents(partKey); // L_EXTENDEDPRICE = L_QUANTITY x P_RETAILPRICE.
        const shipDay = orderDay + random.int(1, 121); // L_SHIPDATE = O_ORDERDATE + [1, 121].
        const commitDay = orderDay + random.int(30, 90); // L_COMMITDATE = O_ORDERDATE + [30, 90].
        const receiptDay = shipDay + random.int(1, 30); // L_RECEIPTDATE = L_SHIPDATE + [1, 30].
        lOrder[line] = orderKey;
        lPart[line] = partKey;
        lSupp[line] = partSupplierKey(partKey, random.int(0, 3), suppliers);
        lNumber[line] = n;
        lQuantity[line] = quantity;
        lPrice[line] = priceCents / 100;
        lDiscount[line] = discount / 100;
        lTax[line] = tax / 100;
        // L_RETURNFLAG: 'R' or 'A' at random if received by CURRENTDATE, else 'N'.
        lReturn[line] = receiptDay <= currentDay ? (random.int(0, 1) === 0 ? 'R' : 'A') : 'N';
        // L_LINESTATUS: 'O' if shipped after CURRENTDATE, else 'F'.
        const open = shipDay > currentDay;
        lStatus[line] = open ? 'O' : 'F';
        if (!open) shipped++;
        lShip[line] = shipDay;
        lCommit[line] = commitDay;
        lReceipt[line] = receiptDay;
        lInstruct[line] = instructions[random.int(0, instructions.length - 1)] as string;
        lMode[line] = shipModes[random.int(0, shipModes.length - 1)] as string;
        lComment[line] = pool.comment(random, 10, 43); // L_COMMENT text [10, 43].
        // O_TOTALPRICE = sum(L_EXTENDEDPRICE x (1 + L_TAX) x (1 - L_DISCOUNT)), in
        // whole cents, truncating after each factor as the reference generator does.
        totalCents += Math.floor((Math.floor((priceCents * (100 - discount)) / 100) * (100 + tax)) / 100);
      }
      // O_ORDERSTATUS: 'F' if every line is 'F', 'O' if every line is 'O', else 'P'.
      oStatus[i] = shipped === lines ? 'F' : shipped === 0 ? 'O' : 'P';
      oTotal[i] = totalCents / 100;
    }
    if (yieldOrders) yield { table: 'orders', rowCount: rows, columns: orderColumns };
    if (yieldLineitem) yield { table: 'lineitem', rowCount: line, columns: lineColumns };
  }
}
