/**
 * DATE and TIMESTAMP values: conversion from and to text, calendar
 * arithmetic for INTERVAL, and EXTRACT.
 *
 * A DATE is a whole number of days since 1970-01-01 (proleptic Gregorian
 * calendar, no time zone); a TIMESTAMP is a number of milliseconds since
 * 1970-01-01T00:00:00Z. Both are limited to the years 0000..9999 so that
 * their text forms (`YYYY-MM-DD`, ISO 8601) sort like the values do.
 *
 * Adding months or years clamps the day to the last day of the resulting
 * month (`DATE '2020-01-31' + INTERVAL '1' MONTH` is 2020-02-29), as the SQL
 * standard and PostgreSQL do; SQLite's `date(d, '+1 month')` would give
 * 2020-03-02 instead.
 */

export const msPerDay = 86_400_000;

/** Days from 1970-01-01 to the given civil date (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The civil date of a day number (inverse of `daysFromCivil`). */
export function civilFromDays(days: number, out: CivilDate = { year: 0, month: 0, day: 0 }): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out.month = month;
  out.day = day;
  return out;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** First and last day numbers of the supported range (0000-01-01 .. 9999-12-31). */
export const dateDaysMin = daysFromCivil(0, 1, 1);
export const dateDaysMax = daysFromCivil(9999, 12, 31);
export const timestampMsMin = dateDaysMin * msPerDay;
export const timestampMsMax = (dateDaysMax + 1) * msPerDay - 1;

export function isDateInRange(days: number): boolean {
  return Number.isInteger(days) && days >= dateDaysMin && days <= dateDaysMax;
}

export function isTimestampInRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= timestampMsMin && ms <= timestampMsMax;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

const civilScratch: CivilDate = { year: 0, month: 0, day: 0 };

/** `YYYY-MM-DD` of a day number in range. */
export function formatDate(days: number): string {
  const c = civilFromDays(days, civilScratch);
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}`;
}

/** ISO 8601 text (`YYYY-MM-DDTHH:MM:SS.sssZ`) of a timestamp in range. */
export function formatTimestamp(ms: number): string {
  const days = Math.floor(ms / msPerDay);
  let rest = ms - days * msPerDay;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = Math.floor(rest - s * 1000);
  return `${formatDate(days)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}Z`;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses `YYYY-MM-DD`, or an ISO 8601 date-time, to a day number; a time of
 * day is dropped (the UTC calendar date is taken when an offset is given).
 * Returns undefined when the text is not a valid date in range.
 */
export function parseDate(text: string): number | undefined {
  // The common exact form without a regular expression (same result).
  if (text.length === 10 && text.charCodeAt(4) === dash && text.charCodeAt(7) === dash) {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    if (year >= 0 && month >= 0 && day >= 0) {
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
      return daysFromCivil(year, month, day);
    }
  }
  const m = datePattern.exec(text);
  if (m !== null) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    return daysFromCivil(year, month, day);
  }
  const ms = parseTimestamp(text);
  return ms === undefined ? undefined : Math.floor(ms / msPerDay);
}

/**
 * Parses `YYYY-MM-DD[ |T]HH:MM[:SS[.fff]][Z|±HH:MM]` (or a bare date, taken
 * as midnight) to milliseconds since the epoch; without an offset the time
 * is UTC. Returns undefined when the text is not a valid timestamp in range.
 */
export function parseTimestamp(text: string): number | undefined {
  const fast = parseIsoTimestamp(text);
  if (fast !== notIso) return fast;
  const m = timestampPattern.exec(text.trim());
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const milli = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = daysFromCivil(year, month, day) * msPerDay + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + milli;
  return isTimestampInRange(ms) ? ms : undefined;
}

const dash = 0x2d;
const colon = 0x3a;
const digit0 = 0x30;
/** `parseIsoTimestamp`'s answer for text not in the one form it reads. */
const notIso = -1.5;

/** The decimal number in `text[at, at + n)`, or -1 when a character there is not a digit. */
function digitsAt(text: string, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - digit0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` exactly (what `Date#toISOString` writes and
 * what timestamps are returned as) without a regular expression: the
 * timestamp, undefined when it is that form but no valid timestamp, or
 * `notIso` for any other text (the general parser decides). Gives what
 * the general parser gives for the same text.
 */
function parseIsoTimestamp(text: string): number | undefined {
  if (text.length !== 24 || text.charCodeAt(23) !== 0x5a /* Z */ || text.charCodeAt(10) !== 0x54 /* T */) return notIso;
  if (text.charCodeAt(4) !== dash || text.charCodeAt(7) !== dash || text.charCodeAt(13) !== colon || text.charCodeAt(16) !== colon || text.charCodeAt(19) !== 0x2e /* . */) return notIso;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  // Three fraction digits: the general parser's floor(0.fff * 1000) is fff for every fff.
  const milli = digitsAt(text, 20, 3);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || milli < 0) return notIso;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = daysFromCivil(year, month, day) * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
  return isTimestampInRange(ms) ? ms : undefined;
}

/** Adds a number of months to a day number, clamping the day of month. */
export function addMonths(days: number, months: number): number {
  const c = civilFromDays(days, civilScratch);
  const total = c.year * 12 + (c.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(c.day, daysInMonth(year, month));
  return daysFromCivil(year, month, day);
}

/** Adds a number of months to a timestamp, keeping the time of day. */
export function addMonthsToTimestamp(ms: number, months: number): number {
  const days = Math.floor(ms / msPerDay);
  return addMonths(days, months) * msPerDay + (ms - days * msPerDay);
}

export type DateField = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

/** EXTRACT(field FROM date); time fields of a DATE are 0. */
export function extractFromDate(field: DateField, days: number): number {
  switch (field) {
    case 'YEAR':
      return civilFromDays(days, civilScratch).year;
    case 'MONTH':
      return civilFromDays(days, civilScratch).month;
    case 'DAY':
      return civilFromDays(days, civilScratch).day;
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND':
      return 0;
  }
}

/** EXTRACT(field FROM timestamp); SECOND includes the milliseconds as a fraction. */
export function extractFromTimestamp(field: DateField, ms: number): number {
  const days = Math.floor(ms / msPerDay);
  const rest = ms - days * msPerDay;
  switch (field) {
    case 'YEAR':
    case 'MONTH':
    case 'DAY':
      return extractFromDate(field, days);
    case 'HOUR':
      return Math.floor(rest / 3_600_000);
    case 'MINUTE':
      return Math.floor(rest / 60_000) % 60;
    case 'SECOND':
      return (rest % 60_000) / 1000;
  }
}
