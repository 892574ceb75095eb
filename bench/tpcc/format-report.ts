/**
 * The TPC-C report as aligned text tables for a terminal: one row per
 * driver with throughput and latency percentiles, then the durability each
 * driver used and the consistency conditions it passed or failed.
 */
import { tpccTransactionTypes, type TpccTransactionType } from './inputs.js';
import type { TpccReport } from './run.js';

const typeLabels: { readonly [type in TpccTransactionType]: string } = Object.freeze({
  newOrder: 'New-Order',
  payment: 'Payment',
  orderStatus: 'Order-Status',
  delivery: 'Delivery',
  stockLevel: 'Stock-Level',
});

/** Left-aligned first column, right-aligned others, two spaces between columns. */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function formatTpccReport(report: TpccReport): string {
  const out: string[] = [];
  const w = report.warehouses;
  out.push(
    `TPC-C (${report.specification}): ${w} warehouse${w === 1 ? '' : 's'}, ${report.seconds} s per driver` +
      `${report.transactionsMax === null ? '' : ` (at most ${integer(report.transactionsMax)} transactions)`}, seed ${report.seed}`,
  );
  out.push(`durability: ${report.durability} (${report.durabilityNote})`);
  if (report.scaleNote !== null) out.push(`SCALE: ${report.scale}, ${report.scaleNote}`);
  out.push('');

  out.push(
    alignedTable(
      ['driver', 'load s', 'transactions', 'run s', 'txn/s', 'tpmC', 'New-Orders rolled back', 'Deliveries without order', 'consistency'],
      report.drivers.map((d) => [
        d.name,
        (d.load.ms / 1000).toFixed(1),
        integer(d.run.transactions),
        d.run.seconds.toFixed(1),
        integer(d.run.transactionsPerSecond),
        integer(d.run.tpmC),
        `${integer(d.run.newOrdersRolledBack)} of ${integer(d.run.newOrders)}`,
        integer(d.run.deliverySkippedDistricts),
        d.consistency.passed ? 'passed' : 'FAILED',
      ]),
    ),
  );
  out.push('');
  out.push('latency in ms, p50 / p99:');
  out.push(
    alignedTable(
      ['driver', ...tpccTransactionTypes.map((t) => typeLabels[t])],
      report.drivers.map((d) => [d.name, ...tpccTransactionTypes.map((t) => `${ms(d.run.byType[t].p50Ms)} / ${ms(d.run.byType[t].p99Ms)}`)]),
    ),
  );
  out.push('');
  out.push(
    `load s: time inside each database (schema, inserts, indexes); the data was generated once for all, ` +
      `in ${(report.load.generateMs / 1000).toFixed(1)} s of the load's ${(report.load.ms / 1000).toFixed(1)} s`,
  );
  out.push('durability settings:');
  for (const d of report.drivers) out.push(`  ${d.name}: ${d.durability}`);
  out.push('');

  out.push('consistency conditions (clause 3.3.2), checked after the run:');
  const nameWidth = Math.max(0, ...report.drivers.map((d) => d.name.length));
  for (const d of report.drivers) {
    for (const c of d.consistency.conditions) {
      out.push(`  ${d.name.padEnd(nameWidth)}  ${c.condition}. ${c.title}: ${c.passed ? 'passed' : 'FAILED'} (${c.checked} checked, ${c.violations} violations)`);
      for (const example of c.examples) out.push(`      ${example}`);
    }
  }
  if (!report.passed) out.push('', 'RUN FAILED: a database violates the consistency conditions.');
  return out.join('\n');
}
