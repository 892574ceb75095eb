/**
 * Scalar SQL functions, as SQLite defines them on the common subset. Each
 * takes run-time values already converted to generic SQL values (see
 * value.ts: a DATE argument arrives as its text, a BOOLEAN as 0/1) and
 * returns one. `numberText` renders a number argument by its static type
 * (INTEGER `5`, REAL `5.0`), which the compiler decides.
 *
 * COALESCE, IFNULL and NULLIF short-circuit and are compiled inline; the
 * functions here evaluate every argument.
 */
import { blobToText, compareValues, integerToText, realToText, textToNumber, type SqlValue } from './value.js';

/** How to render a number argument as text: by its static type. */
export type NumberText = (v: number) => string;

export const integerText: NumberText = integerToText;
export const realText: NumberText = realToText;
/** For values whose type is known only at run time: integral numbers are INTEGERs. */
export const anyNumberText: NumberText = (v) => (Number.isInteger(v) ? integerToText(v) : realToText(v));

/** Text of a value for a text function; NULL stays NULL. */
export function asText(v: SqlValue, numberText: NumberText): string | null {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  return blobToText(v);
}

const surrogate = /[\ud800-\udfff]/;

/** Number of characters (code points) of a string, as SQLite counts UTF-8 characters. */
export function charLength(s: string): number {
  if (!surrogate.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function sqlLength(v: SqlValue, numberText: NumberText): number | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return v.length;
  return charLength(typeof v === 'string' ? v : numberText(v));
}

function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function asciiUpper(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

/** LOWER: ASCII letters only, as SQLite without ICU. */
export function sqlLower(v: SqlValue, numberText: NumberText): string | null {
  const s = asText(v, numberText);
  return s === null ? null : asciiLower(s);
}

export function sqlUpper(v: SqlValue, numberText: NumberText): string | null {
  const s = asText(v, numberText);
  return s === null ? null : asciiUpper(s);
}

/** An integer argument of a function (SQLite's sqlite3_value_int64). */
export function intArg(v: SqlValue): number | null {
  if (v === null) return null;
  const n = typeof v === 'number' ? v : textToNumber(typeof v === 'string' ? v : blobToText(v));
  return Number.isFinite(n) ? Math.trunc(n) : n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/**
 * SUBSTR(x, start [, length]) with SQLite's rules: 1-based; a negative
 * start counts from the end; a negative length takes the characters before
 * start; start 0 takes one character less. Text counts characters, blobs
 * bytes.
 */
export function sqlSubstr(v: SqlValue, startArg: SqlValue, lengthArg: SqlValue | undefined, numberText: NumberText): SqlValue {
  if (v === null) return null;
  let p1 = intArg(startArg);
  if (p1 === null) return null;
  let p2: number;
  let negP2 = false;
  if (lengthArg !== undefined) {
    const l = intArg(lengthArg);
    if (l === null) return null;
    p2 = l;
    if (p2 < 0) {
      p2 = -p2;
      negP2 = true;
    }
  } else {
    p2 = Number.MAX_SAFE_INTEGER;
  }
  const blob = v instanceof Uint8Array;
  const text = blob ? '' : typeof v === 'string' ? v : numberText(v);
  const wide = !blob && surrogate.test(text);
  const chars = wide ? [...text] : undefined;
  const len = blob ? (v as Uint8Array).length : chars !== undefined ? chars.length : text.length;
  if (p1 < 0) {
    p1 += len;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    p1--;
  } else if (p2 > 0) {
    p2--;
  }
  if (negP2) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  const end = Math.min(len, p1 + p2);
  if (blob) return (v as Uint8Array).slice(Math.min(p1, len), Math.max(Math.min(p1, len), end));
  if (chars !== undefined) return chars.slice(p1, end).join('');
  return text.slice(p1, end);
}

/** ABS: NULL stays NULL; text is converted as for arithmetic. */
export function sqlAbs(v: SqlValue): number | null {
  if (v === null) return null;
  const n = typeof v === 'number' ? v : textToNumber(typeof v === 'string' ? v : blobToText(v));
  return Math.abs(n);
}

/**
 * ROUND(x [, digits]) as SQLite computes it: always a REAL; digits below 0
 * count as 0 and above 30 as 30; values beyond 2^52 in magnitude have no
 * fraction and are returned as they are; 0 digits round half away from
 * zero; otherwise the value is rounded half up on its 18 significant
 * decimal digits (SQLite's `%.*f` conversion).
 */
export function sqlRound(v: SqlValue, digitsArg: SqlValue | undefined): number | null {
  if (v === null) return null;
  let n = 0;
  if (digitsArg !== undefined) {
    const d = intArg(digitsArg);
    if (d === null) return null;
    n = Math.max(0, Math.min(30, d));
  }
  const r = typeof v === 'number' ? v : textToNumber(typeof v === 'string' ? v : blobToText(v));
  if (!Number.isFinite(r) || r < -4503599627370496 || r > 4503599627370496) return r;
  if (n === 0) return Math.trunc(r + (r < 0 ? -0.5 : 0.5));
  return roundDecimal(r, n);
}

function roundDecimal(r: number, n: number): number {
  if (r === 0) return 0;
  const negative = r < 0;
  const e = Math.abs(r).toExponential(17);
  const at = e.indexOf('e');
  const digits = e[0] + e.slice(2, at);
  const exponent = Number(e.slice(at + 1));
  // Keep the digits up to n places after the decimal point.
  const keep = exponent + 1 + n;
  if (keep <= 0) {
    // Everything is below the rounding position; only a first digit of 5+
    // at exactly that position rounds up.
    if (keep === 0 && (digits.charCodeAt(0) as number) >= 0x35) return (negative ? -1 : 1) * 10 ** -n;
    return 0;
  }
  if (keep >= digits.length) return r;
  let kept = BigInt(digits.slice(0, keep));
  if ((digits.charCodeAt(keep) as number) >= 0x35) kept += 1n;
  const result = Number(`${kept}e${exponent + 1 - keep}`);
  return negative ? -result : result;
}

export function sqlTrim(v: SqlValue, charsArg: SqlValue | undefined, left: boolean, right: boolean, numberText: NumberText): string | null {
  const s = asText(v, numberText);
  if (s === null) return null;
  let set = ' ';
  if (charsArg !== undefined) {
    const c = asText(charsArg, numberText);
    if (c === null) return null;
    set = c;
  }
  const chars = new Set([...set]);
  const list = [...s];
  let start = 0;
  let end = list.length;
  if (left) while (start < end && chars.has(list[start] as string)) start++;
  if (right) while (end > start && chars.has(list[end - 1] as string)) end--;
  return list.slice(start, end).join('');
}

export function sqlReplace(v: SqlValue, fromArg: SqlValue, toArg: SqlValue, numberText: NumberText): string | null {
  const s = asText(v, numberText);
  const from = asText(fromArg, numberText);
  const to = asText(toArg, numberText);
  if (s === null || from === null || to === null) return null;
  if (from === '') return s;
  return s.split(from).join(to);
}

/** INSTR(haystack, needle): 1-based character position of the first match, 0 when absent. */
export function sqlInstr(haystackArg: SqlValue, needleArg: SqlValue, numberText: NumberText): number | null {
  if (haystackArg === null || needleArg === null) return null;
  if (haystackArg instanceof Uint8Array && needleArg instanceof Uint8Array) {
    outer: for (let i = 0; i + needleArg.length <= haystackArg.length; i++) {
      for (let j = 0; j < needleArg.length; j++) if (haystackArg[i + j] !== needleArg[j]) continue outer;
      return i + 1;
    }
    return 0;
  }
  const h = asText(haystackArg, numberText) as string;
  const n = asText(needleArg, numberText) as string;
  const at = h.indexOf(n);
  if (at < 0) return 0;
  return charLength(h.slice(0, at)) + 1;
}

/** Scalar MIN/MAX of several arguments: NULL if any is NULL. */
export function sqlMinMax(values: readonly SqlValue[], max: boolean): SqlValue {
  let best: SqlValue = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as SqlValue;
    if (v === null) return null;
    if (i === 0 || (max ? compareValues(v, best) > 0 : compareValues(v, best) < 0)) best = v;
  }
  return best;
}
