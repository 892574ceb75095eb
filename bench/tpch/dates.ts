/**
 * Calendar dates of the TPC-H data, held as day numbers (days since
 * 1970-01-01, UTC) so that the generator stores them in `Int32Array`s and
 * does date arithmetic with integer additions.
 *
 * The constants are those of TPC-H v3 clause 4.2.2.12: STARTDATE 1992-01-01,
 * CURRENTDATE 1995-06-17 (the "today" that decides return flags and line
 * statuses) and ENDDATE 1998-12-31.
 */

const msPerDay = 86_400_000;

/** Day number of an ISO 'YYYY-MM-DD' date (UTC); throws RangeError on malformed text. */
export function dayOf(iso: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) throw new RangeError(`not an ISO date: ${JSON.stringify(iso)}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`not a calendar date: ${iso}`);
  }
  return ms / msPerDay;
}

/** Clause 4.2.2.12: the first order date. */
export const startDay = dayOf('1992-01-01');
/** Clause 4.2.2.12: the date that splits shipped/open lines and returned/not returned. */
export const currentDay = dayOf('1995-06-17');
/** Clause 4.2.2.12: the last date of the data (the latest receipt date). */
export const endDay = dayOf('1998-12-31');
/** Clause 4.2.3: O_ORDERDATE is uniform in [STARTDATE, ENDDATE - 151 days] = [1992-01-01, 1998-08-02]. */
export const orderDayMax = endDay - 151;

function formatDay(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

// Every date the generator can produce lies in [startDay, endDay], so the ISO
// text of each is computed once here (about 2,500 short strings, immutable)
// and loading never formats a date per row.
const isoTable: readonly string[] = Object.freeze(Array.from({ length: endDay - startDay + 1 }, (_, i) => formatDay(startDay + i)));

/** ISO 'YYYY-MM-DD' text of a day number; no allocation inside the TPC-H date range. */
export function isoOfDay(day: number): string {
  const i = day - startDay;
  if (i >= 0 && i < isoTable.length) return isoTable[i] as string;
  return formatDay(day);
}
