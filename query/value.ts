/**
 * Run-time values of the SQL engine and their semantics, following SQLite on
 * the common subset.
 *
 * Representation: a value is `null`, a JS `number`, a `string` or a
 * `Uint8Array`. Integer and real values are both numbers; whether a number is
 * an INTEGER or a REAL matters for `/`, `%` and text conversion only, and is
 * decided by the static type the binder gives every expression (see
 * `ValueType` in `sql-type.ts`), never by inspecting the number. BOOLEAN
 * values are the numbers 0 and 1, DATE values whole days since 1970-01-01 and
 * TIMESTAMP values milliseconds since the epoch; they become `true`/`false`,
 * `'YYYY-MM-DD'` and ISO strings only when a result row is built. NaN never
 * occurs: every operation that would produce it yields NULL, as in SQLite.
 *
 * Ordering of values of different storage classes (ORDER BY, MIN/MAX, index
 * keys, comparisons without affinity): NULL < numbers < text < blobs.
 * Text compares in the byte order of its UTF-8 encoding (SQLite's BINARY
 * collation), which is code point order — not JS's UTF-16 code unit order.
 */

export type SqlValue = null | number | string | Uint8Array;

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

/**
 * Compares two strings in code point order, which equals the byte order of
 * their UTF-8 encodings. UTF-16 order differs only where a surrogate (a code
 * point above U+FFFF) meets a unit in U+E000..U+FFFF: surrogates must sort
 * after those, so both units are shifted before comparing.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return fixUnit(x) - fixUnit(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function fixUnit(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Storage class rank for cross-class ordering: NULL < number < text < blob. */
function classRank(v: SqlValue): number {
  if (v === null) return 0;
  const t = typeof v;
  if (t === 'number') return 1;
  if (t === 'string') return 2;
  return 3;
}

/**
 * Total order over values (NULL first), as SQLite sorts them. Returns a
 * negative number, zero or a positive number.
 */
export function compareValues(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  const ra = classRank(a);
  const rb = classRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  return compareBytes(a as Uint8Array, b as Uint8Array);
}

// ---------------------------------------------------------------------------
// Text to number
// ---------------------------------------------------------------------------

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Scans the longest prefix of `s` (after leading white space) that is a
 * decimal number. Returns the end index of that prefix (0 when there is
 * none), whether it is an integer (no `.` and no exponent), and the index
 * after trailing white space so callers can tell whether the whole string
 * was a number.
 */
interface NumberScan {
  start: number;
  end: number;
  integer: boolean;
}

function scanNumber(s: string, out: NumberScan): void {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  const start = i;
  if (i < n && (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d)) i++;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  let integer = true;
  if (i < n && s.charCodeAt(i) === 0x2e) {
    let j = i + 1;
    let fraction = 0;
    while (j < n && isDigit(s.charCodeAt(j))) {
      j++;
      fraction++;
    }
    if (digits + fraction > 0) {
      integer = false;
      digits += fraction;
      i = j;
    }
  }
  if (digits === 0) {
    out.start = start;
    out.end = start;
    out.integer = true;
    return;
  }
  if (i < n && (s.charCodeAt(i) === 0x65 || s.charCodeAt(i) === 0x45)) {
    let j = i + 1;
    if (j < n && (s.charCodeAt(j) === 0x2b || s.charCodeAt(j) === 0x2d)) j++;
    const k = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    if (j > k) {
      integer = false;
      i = j;
    }
  }
  out.start = start;
  out.end = i;
  out.integer = integer;
}

const scan: NumberScan = { start: 0, end: 0, integer: true };

/**
 * The numeric value of a text operand of arithmetic, as SQLite computes it:
 * the longest numeric prefix, or 0 when there is none (`'12abc' + 0` is 12,
 * `'abc' + 0` is 0). `integer` tells whether that prefix is an integer.
 */
export function textToNumber(s: string): number {
  scanNumber(s, scan);
  if (scan.end === scan.start) return 0;
  const v = Number(s.slice(scan.start, scan.end));
  return Number.isNaN(v) ? 0 : v;
}

/** Whether `textToNumber(s)` yields an INTEGER (rather than a REAL) in SQLite. */
export function textNumberIsInteger(s: string): boolean {
  scanNumber(s, scan);
  return scan.integer && Number.isSafeInteger(scan.end === scan.start ? 0 : Number(s.slice(scan.start, scan.end)));
}

/**
 * SQLite's numeric affinity for a text value: when the whole text (leading
 * and trailing white space allowed) is a well-formed number, that number;
 * otherwise undefined (the value stays text).
 */
export function textAsWholeNumber(s: string): number | undefined {
  scanNumber(s, scan);
  if (scan.end === scan.start) return undefined;
  let i = scan.end;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i !== s.length) return undefined;
  const v = Number(s.slice(scan.start, scan.end));
  return Number.isFinite(v) || !Number.isNaN(v) ? v : undefined;
}

/** Whether the whole-number text is written as an integer (no `.` or exponent). */
export function textWholeNumberIsInteger(s: string): boolean {
  scanNumber(s, scan);
  return scan.integer;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Blob bytes read as UTF-8 text, as SQLite does when a blob meets a text operation. */
export function blobToText(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

export function textToBlob(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** The number an arithmetic operator sees for a value (NULL stays NULL). */
export function toNumber(v: SqlValue): number | null {
  if (v === null || typeof v === 'number') return v;
  if (typeof v === 'string') return textToNumber(v);
  return textToNumber(blobToText(v));
}

/**
 * SQL truth of a value: NULL is unknown (null); a number is true when it is
 * not zero; text and blobs are converted with `textToNumber` first, so
 * `'abc'` is false and `'1abc'` is true, as in SQLite.
 */
export function truth(v: SqlValue): boolean | null {
  if (v === null) return null;
  if (typeof v === 'number') return v !== 0;
  return toNumber(v) !== 0;
}

// ---------------------------------------------------------------------------
// Number to text
// ---------------------------------------------------------------------------

/**
 * Text of a REAL as SQLite (3.52 and later) renders it for `CAST(x AS TEXT)`
 * and `||`: the format `%!.17g`, whose digits come from SQLite's decoder —
 * 18 significant digits rounded to 17, except that a 17-digit string ending
 * in a run of 9s or 0s is shortened when the shorter number reads back as
 * the same double (so 0.1 is `0.1`, not `0.10000000000000001`). Fixed
 * notation is used when the decimal exponent is in [-4, 16], with `.0`
 * appended to integral values; otherwise `d.ddde±XX`. Infinities are `Inf`
 * and `-Inf`.
 */
export function realToText(x: number): string {
  if (x === 0) return '0.0';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  const negative = x < 0;
  const r = negative ? -x : x;
  // 18 correctly rounded significant digits and the position of the
  // decimal point: r = 0.z * 10^iDP.
  const e = r.toExponential(17);
  const at = e.indexOf('e');
  let z = e[0] + e.slice(2, at);
  let iDP = Number(e.slice(at + 1)) + 1;
  const n = 18;
  let iRound = 17;
  if (z[15] === '9' && z[14] === '9') {
    let jj = 14;
    while (jj > 0 && z[jj - 1] === '9') jj--;
    const v2 = jj === 0 ? 1n : BigInt(z.slice(0, jj)) + 1n;
    if (r === Number(`${v2}e${iDP - jj}`)) iRound = jj + 1;
  } else if (iDP >= n || (z[13] === '0' && z[14] === '0' && z[15] === '0')) {
    let jj = 13;
    while (z[jj - 1] === '0') jj--;
    if (r === Number(`${z.slice(0, jj)}e${iDP - jj}`)) iRound = jj + 1;
  }
  let digits = z.slice(0, iRound);
  if ((z.charCodeAt(iRound) as number) >= 0x35) {
    // Round up, carrying through 9s.
    const chars = digits.split('');
    let j = iRound - 1;
    for (;;) {
      if (chars[j] !== '9') {
        chars[j] = String.fromCharCode((chars[j] as string).charCodeAt(0) + 1);
        break;
      }
      chars[j] = '0';
      if (j === 0) {
        chars.unshift('1');
        iDP++;
        break;
      }
      j--;
    }
    digits = chars.join('');
  }
  let end = digits.length;
  while (end > 1 && digits[end - 1] === '0') end--;
  digits = digits.slice(0, end);
  z = digits;
  const sign = negative ? '-' : '';
  const exponent = iDP - 1;
  if (exponent < -4 || exponent > 16) {
    const fraction = z.length > 1 ? z.slice(1) : '0';
    const magnitude = Math.abs(exponent);
    return `${sign}${z[0]}.${fraction}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${z}`;
  if (z.length <= exponent + 1) return `${sign}${z}${'0'.repeat(exponent + 1 - z.length)}.0`;
  return `${sign}${z.slice(0, exponent + 1)}.${z.slice(exponent + 1)}`;
}

/** Text of an INTEGER. */
export function integerToText(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
}

// ---------------------------------------------------------------------------
// Hashing for GROUP BY, DISTINCT, IN and hash joins
// ---------------------------------------------------------------------------

/**
 * The Map key of a blob: its bytes as a string after the tag '\u0000b'. Text
 * keys that start with '\u0000' are themselves prefixed (see `valueKey`),
 * so no text value has the same key as a blob.
 */
export function blobKey(b: Uint8Array): string {
  let s = '\u0000b';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/**
 * A Map key that is equal for two values exactly when SQL `IS` holds for
 * them (numbers by value, text and blobs by content, NULLs together):
 * numbers and strings are their own keys (Map keeps 1 and '1' apart),
 * blobs become `blobKey`s; NULL maps to null.
 */
export function valueKey(v: SqlValue): number | string | null {
  if (v === null || typeof v === 'number') return v;
  if (typeof v === 'string') return v.length > 0 && v.charCodeAt(0) === 0 ? '\u0000t' + v : v;
  return blobKey(v);
}

/**
 * One value's part of a composite key: a type tag and a self-delimiting
 * payload, so that the concatenation for several values is equal for two
 * tuples exactly when every component is equal under `IS`.
 */
export function componentKey(v: SqlValue): string {
  if (v === null) return 'n';
  if (typeof v === 'number') return 'f' + (v === 0 ? '0' : String(v)) + ';';
  if (typeof v === 'string') return 't' + v.length + ':' + v;
  return 'b' + v.length + ':' + blobKey(v);
}
