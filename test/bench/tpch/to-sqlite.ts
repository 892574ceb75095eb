/**
 * Test helper: rewrites fairdb-dialect query text into SQLite's, mechanically
 * and independently of the hand-written SQLite texts in queries.ts, so that
 * running both on SQLite checks that the two texts ask the same question.
 *
 * Handles exactly the constructs the TPC-H texts use: `date 'x' (+|-)
 * interval 'n' day|month|year`, `date 'x'`, `extract(year from column)` and
 * `substring(column from a for b)`.
 */
const msPerDay = 86_400_000;

function shift(iso: string, amount: number, unit: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  let date: Date;
  switch (unit.toLowerCase()) {
    case 'day':
      date = new Date(Date.UTC(y, m - 1, d) + amount * msPerDay);
      break;
    case 'month': {
      // SQL clamps to the end of the month (1994-01-31 + 1 month = 1994-02-28).
      const last = new Date(Date.UTC(y, m - 1 + amount + 1, 0)).getUTCDate();
      date = new Date(Date.UTC(y, m - 1 + amount, Math.min(d, last)));
      break;
    }
    case 'year': {
      const last = new Date(Date.UTC(y + amount, m, 0)).getUTCDate();
      date = new Date(Date.UTC(y + amount, m - 1, Math.min(d, last)));
      break;
    }
    default:
      throw new Error(`unit ${unit}`);
  }
  return date.toISOString().slice(0, 10);
}

export function fairdbToSqlite(sql: string): string {
  return sql
    .replace(
      /date\s+'(\d{4}-\d{2}-\d{2})'\s*([+-])\s*interval\s+'(\d+)'\s+(day|month|year)\b/gi,
      (_, iso: string, sign: string, n: string, unit: string) => `'${shift(iso, sign === '-' ? -Number(n) : Number(n), unit)}'`,
    )
    .replace(/date\s+'(\d{4}-\d{2}-\d{2})'/gi, "'$1'")
    .replace(/extract\s*\(\s*year\s+from\s+([a-z_][a-z0-9_.]*)\s*\)/gi, "cast(strftime('%Y', $1) as integer)")
    .replace(/substring\s*\(\s*([a-z_][a-z0-9_.]*)\s+from\s+(\d+)\s+for\s+(\d+)\s*\)/gi, 'substr($1, $2, $3)');
}

/** True if text still holds a construct SQLite does not understand the fairdb way. */
export function hasFairdbOnlySyntax(sql: string): boolean {
  return /\bdate\s+'|\binterval\b|\bextract\s*\(|\bsubstring\s*\(/i.test(sql);
}
