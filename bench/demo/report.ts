/**
 * The demo's report as a self-contained HTML page: headline figures, bar
 * charts drawn as inline SVG (no scripts, no external files), and the
 * tables the terminal shows. Every number comes from the JSON report next to
 * it; nothing is computed here but layout.
 */
import type { TpccReport } from '../tpcc/index.js';
import type { TpchReport } from '../tpch/index.js';

export interface DemoReport {
  readonly benchmark: 'fairdb demo';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: { readonly node: string; readonly platform: string; readonly cpu: string; readonly cores: number; readonly memoryGiB: number };
  readonly dataDirectory: string;
  readonly tpch: TpchReport;
  readonly tpcc: TpccReport;
  readonly passed: boolean;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const palette = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];

/** Horizontal grouped bars; `log` draws lengths on a log10 scale (for times spanning decades). */
function barChart(title: string, groups: readonly { label: string; values: readonly (number | null)[] }[], series: readonly string[], unit: string, log: boolean): string {
  const rowHeight = 14 * series.length + 10;
  const labelWidth = 90;
  const width = 720;
  const plot = width - labelWidth - 90;
  const all = groups.flatMap((g) => g.values).filter((v): v is number => v !== null && v > 0);
  const max = Math.max(1e-9, ...all);
  const min = Math.min(max, ...all);
  const floor = log ? Math.log10(min) - 0.3 : 0;
  const scale = (v: number): number => (log ? ((Math.log10(v) - floor) / (Math.log10(max) - floor)) * plot : (v / max) * plot);
  const height = groups.length * rowHeight + 40;
  const bars = groups
    .map((g, gi) => {
      const y0 = 30 + gi * rowHeight;
      const rects = g.values
        .map((v, si) => {
          if (v === null || !(v > 0)) return '';
          const w = Math.max(1, scale(v));
          const y = y0 + si * 14;
          return `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="12" fill="${palette[si % palette.length]}"><title>${escape(`${g.label} ${series[si]}: ${fmt(v, 1)} ${unit}`)}</title></rect><text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 10}" class="v">${fmt(v, v < 10 ? 1 : 0)}</text>`;
        })
        .join('');
      return `<text x="${labelWidth - 6}" y="${y0 + rowHeight / 2}" class="l" text-anchor="end">${escape(g.label)}</text>${rects}`;
    })
    .join('');
  const legend = series.map((s, i) => `<rect x="${labelWidth + i * 170}" y="6" width="12" height="12" fill="${palette[i % palette.length]}"/><text x="${labelWidth + 16 + i * 170}" y="16" class="l">${escape(s)}</text>`).join('');
  return `<figure><figcaption>${escape(title)}${log ? ' (log scale)' : ''}</figcaption><svg viewBox="0 0 ${width} ${height}" width="100%" role="img">${legend}${bars}</svg></figure>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i === 0 ? '' : ' class="n"'}>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderReportHtml(report: DemoReport): string {
  const { tpch, tpcc } = report;
  const engines = tpch.loads.map((l) => l.engine);
  const geomean = tpch.geomeans.map((g) => `${g.engine}: ${g.ratio === null ? 'n/a' : `${fmt(g.ratio, 2)}× SQLite's speed`} over ${g.queries} queries`).join('; ');
  const tpchChart = barChart(
    `TPC-H SF ${tpch.sf}: time per query (ms, lower is better)`,
    tpch.queries.map((q) => ({ label: `Q${q.n}`, values: engines.map((e) => q.results.find((r) => r.engine === e)?.ms ?? null) })),
    engines,
    'ms',
    true,
  );
  const tpccChart = barChart(
    `TPC-C, ${tpcc.warehouses} warehouse(s), ${tpcc.seconds} s per database: tpmC (higher is better)`,
    tpcc.drivers.map((d) => ({ label: d.name, values: [d.run.tpmC] })),
    ['tpmC'],
    'tpmC',
    false,
  );
  const tpchRows = tpch.queries.map((q) => [`Q${q.n}`, ...engines.flatMap((e) => {
    const r = q.results.find((x) => x.engine === e);
    return [fmt(r?.ms, 1), r?.ratio === null || r?.ratio === undefined ? '' : `${fmt(r.ratio, 2)}×`];
  }), q.status]);
  const tpccRows = tpcc.drivers.map((d) => [
    d.name,
    fmt(d.run.tpmC),
    fmt(d.run.transactionsPerSecond),
    `${fmt(d.run.byType.newOrder.p50Ms, 2)} / ${fmt(d.run.byType.newOrder.p99Ms, 2)}`,
    `${fmt(d.run.byType.payment.p50Ms, 2)} / ${fmt(d.run.byType.payment.p99Ms, 2)}`,
    fmt(d.load.ms / 1000, 1),
    d.consistency.passed ? 'passed' : 'FAILED',
    d.durability,
  ]);
  const env = report.environment;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fairdb demo report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:960px;color:#0f172a;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #e2e8f0;padding-bottom:.3rem}
.sub{color:#475569}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1.2rem 0}.card{flex:1;min-width:200px;border:1px solid #e2e8f0;border-radius:8px;padding:.8rem 1rem}
.card b{display:block;font-size:1.5rem}.ok{color:#059669}.bad{color:#dc2626}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-size:13px}th,td{border-bottom:1px solid #e2e8f0;padding:.25rem .5rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg .l{font-size:11px;fill:#334155}svg .v{font-size:10px;fill:#475569}
</style></head><body>
<h1>fairdb — end-to-end demo</h1>
<p class="sub">${escape(report.startedAt)} · Node ${escape(env.node)} · ${escape(env.platform)} · ${escape(env.cpu)} × ${env.cores} · ${fmt(env.memoryGiB, 0)} GiB · data in ${escape(report.dataDirectory)}</p>
<div class="cards">
<div class="card">TPC-H answers<b class="${tpch.passed ? 'ok' : 'bad'}">${tpch.passed ? 'all match SQLite' : 'MISMATCH'}</b>${tpch.queries.length} queries, SF ${tpch.sf}</div>
<div class="card">TPC-H speed vs SQLite<b>${escape(tpch.geomeans.map((g) => (g.ratio === null ? 'n/a' : `${fmt(g.ratio, 2)}×`)).join(' / '))}</b>geometric mean of per-query ratios</div>
<div class="card">TPC-C consistency<b class="${tpcc.passed ? 'ok' : 'bad'}">${tpcc.passed ? 'conditions 1–4 hold' : 'VIOLATED'}</b>on every database</div>
</div>
<h2>TPC-H</h2>
<p>${escape(geomean)}. Load: ${escape(tpch.loads.map((l) => `${l.engine} ${fmt(l.ms)} ms`).join(', '))} (generation ${fmt(tpch.generateMs)} ms, not counted). Ratio = SQLite ms / engine ms (above 1: faster than SQLite).</p>
${tpchChart}
${table(['query', ...engines.flatMap((e) => [`${e} ms`, 'ratio']), 'answer'], tpchRows)}
<h2>TPC-C</h2>
<p>Durability for every database: ${escape(tpcc.durabilityNote)}. Scale: ${escape(String(tpcc.scale))}.</p>
${tpccChart}
${table(['database', 'tpmC', 'txn/s', 'New-Order p50/p99 ms', 'Payment p50/p99 ms', 'load s', 'consistency', 'durability'], tpccRows)}
<p class="sub">Raw figures: latest.json next to this file. Benchmarks and their recorded results: bench/RESULTS.md in the repository.</p>
</body></html>
`;
}
