/**
 * Plain-text tables with aligned columns: text left-aligned, numbers
 * right-aligned, for the CLI and the benchmarks.
 */

export type Cell = string | number;

/** Formats a number for a table: integers as is, others with `digits` decimals. */
export function formatNumber(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return x.toFixed(digits);
}

function decimals(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const s = String(x);
  const dot = s.indexOf('.');
  return dot < 0 || s.includes('e') ? 0 : s.length - dot - 1;
}

/**
 * Renders rows under a header, columns separated by two spaces. Numbers are
 * printed with as many decimals as the most precise number of their column
 * (callers round them first).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const places = header.map((_, k) => Math.max(0, ...rows.map((row) => (typeof row[k] === 'number' ? decimals(row[k] as number) : 0))));
  const text = rows.map((row) => row.map((c, k) => (typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(places[k]) : String(c)) : c)));
  const numeric = header.map((_, k) => rows.length > 0 && rows.every((row) => typeof row[k] === 'number'));
  const widths = header.map((h, k) => Math.max(h.length, ...text.map((row) => (row[k] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, k) => (numeric[k] ? c.padStart(widths[k] as number) : c.padEnd(widths[k] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}
