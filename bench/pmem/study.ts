/**
 * The persistent-memory configuration study: the shape of "How to use
 * Persistent Memory in your Database" (arXiv 2112.00425) on fairdb's
 * emulated device. TPC-C (through fairdb SQL) and TPC-H run on fairdb with
 * the device as:
 *
 *   pmem App Direct              persistent, no modelled latency (emulation cost only)
 *   pmem App Direct + fsync      persistent, fdatasync at every persist barrier
 *   pmem App Direct, optane      persistent, Optane latency/bandwidth injected (busy-wait)
 *   pmem Memory Mode, optane     volatile by design, Optane latency injected
 *   file (4 KiB pages)           block device, write + fdatasync at every barrier
 *   memory (DRAM)                volatile, no persistence cost
 *
 * For each: throughput or query time, the emulated device time, bytes the
 * medium wrote, the 256-byte XPLine write amplification, and whether data
 * survives a crash — measured for a process kill (a child commits with
 * durability 'sync' and is SIGKILLed; acknowledged commits are counted after
 * reopening) and stated from the device's guarantee for power loss.
 *
 * Run: `node dist/bench/pmem/study.js [--seconds S] [--sf N]`, or
 * `fairdb bench pmem`.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { open, type DatabaseStats, type OpenOptions } from '../../engine/index.js';
import { runTpcc, type TpccReport } from '../tpcc/index.js';
import { fairdbSqlDriver } from '../tpcc/fairdb-driver.js';
import { runTpch, sqliteEngine, type TpchReport } from '../tpch/index.js';
import { fairdbTpchEngine } from '../tpch/fairdb-engine.js';

export interface PmemConfig {
  readonly id: string;
  readonly label: string;
  readonly open: OpenOptions;
  /** What the device promises for power loss (from its documented guarantee). */
  readonly powerLoss: string;
}

/** The configurations of the study, in report order. */
export const pmemConfigs: readonly PmemConfig[] = Object.freeze([
  { id: 'appdirect', label: 'pmem App Direct', open: { device: 'pmem', pmem: { mode: 'appdirect' } }, powerLoss: 'no (no fdatasync)' },
  { id: 'appdirect-fsync', label: 'pmem App Direct + fsync', open: { device: 'pmem', pmem: { mode: 'appdirect', fsync: true } }, powerLoss: 'yes' },
  { id: 'appdirect-optane', label: 'pmem App Direct, optane', open: { device: 'pmem', pmem: { mode: 'appdirect', latency: 'optane', injectDelay: true } }, powerLoss: 'no (no fdatasync)' },
  { id: 'memory-mode', label: 'pmem Memory Mode, optane', open: { device: 'pmem', pmem: { mode: 'memory', latency: 'optane', injectDelay: true } }, powerLoss: 'no (volatile by design)' },
  { id: 'file', label: 'file (4 KiB + fdatasync)', open: { device: 'file' }, powerLoss: 'yes' },
  { id: 'dram', label: 'memory (DRAM)', open: { device: 'memory' }, powerLoss: 'no (volatile)' },
] satisfies PmemConfig[]);

export interface PmemStudyOptions {
  /** TPC-C seconds per configuration; default 10. */
  readonly tpccSeconds: number;
  /** TPC-C scale: 'tenth' (default, a tenth of the items and customers) or 'full'. */
  readonly tpccScale: 'tenth' | 'full';
  /** TPC-H scale factor; default 0.01. */
  readonly sf: number;
  /** Commits the crash probe lets the child make before the kill (at least); default 200. */
  readonly probeCommits: number;
  readonly configs: readonly PmemConfig[];
  readonly log: (line: string) => void;
}

const defaults: PmemStudyOptions = { tpccSeconds: 10, tpccScale: 'tenth', sf: 0.01, probeCommits: 200, configs: pmemConfigs, log: (line) => console.log(line) };

export interface DeviceFigures {
  readonly deviceTimeMs: number;
  readonly mediaMB: number;
  readonly writeAmplification: number;
  readonly hostSyncs: number;
}

export interface PmemStudyRow {
  readonly config: string;
  readonly label: string;
  readonly tpmC: number;
  readonly tpccTransactionsPerSecond: number;
  readonly tpcc: DeviceFigures | undefined;
  readonly tpchQueryMs: number;
  readonly tpchLoadMs: number;
  readonly tpch: DeviceFigures | undefined;
  readonly killSurvived: { acknowledged: number; present: number };
  readonly powerLoss: string;
}

export interface PmemStudyReport {
  readonly benchmark: 'pmem';
  readonly options: { tpccSeconds: number; tpccScale: string; sf: number };
  readonly rows: readonly PmemStudyRow[];
  readonly tpcc: TpccReport;
  readonly tpch: TpchReport;
}

function figures(stats: DatabaseStats | undefined): DeviceFigures | undefined {
  if (stats === undefined) return undefined;
  const d = stats.device;
  return { deviceTimeMs: d.deviceTimeNs / 1e6, mediaMB: d.mediaBytesWritten / 2 ** 20, writeAmplification: d.writeAmplification, hostSyncs: d.hostSyncs };
}

/** Commits in a child process with durability 'sync' until killed; returns how many acknowledged commits survived. */
export function crashProbe(config: PmemConfig, directory: string, commits: number): Promise<{ acknowledged: number; present: number }> {
  const child = fileURLToPath(new URL('./crash-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = fork(child, [directory, JSON.stringify(config.open)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let acknowledged = 0;
    proc.on('message', (m: { acked: number }) => {
      acknowledged = m.acked;
      if (acknowledged >= commits) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', () => {
      try {
        const db = open(directory, { ...config.open, durability: 'sync' });
        let present = 0;
        for (let i = 1; i <= acknowledged; i++) if (db.get(i) === i) present++;
        void db.close().then(() => resolve({ acknowledged, present }), reject);
      } catch (error) {
        reject(error);
      }
    });
  });
}

export async function runPmemStudy(options: Partial<PmemStudyOptions> = {}): Promise<PmemStudyReport> {
  const o = { ...defaults, ...options };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-pmem-study-'));
  try {
    const tpccStats = new Map<string, DatabaseStats>();
    o.log(`TPC-C (${o.tpccScale} scale, 1 warehouse, ${o.tpccSeconds} s each) on ${o.configs.length} device configurations`);
    const tpcc = await runTpcc({
      drivers: o.configs.map((c) =>
        fairdbSqlDriver({ name: c.label, openOptions: () => ({ ...c.open, durability: 'sync' }), onClose: (s) => tpccStats.set(c.label, s) }),
      ),
      warehouses: 1,
      seconds: o.tpccSeconds,
      scale: o.tpccScale,
      durability: 'sync',
      directory: path.join(root, 'tpcc'),
    });
    const tpchStats = new Map<string, DatabaseStats>();
    o.log(`TPC-H (SF ${o.sf}) on the same configurations, answers checked against SQLite`);
    const engines = [
      sqliteEngine(),
      ...o.configs.map((c) =>
        fairdbTpchEngine({ name: c.label, directory: path.join(root, 'tpch', c.id), openOptions: { ...c.open, durability: 'group' }, onClose: (s) => tpchStats.set(c.label, s) }),
      ),
    ];
    let tpch: TpchReport;
    try {
      tpch = await runTpch({ engines, sf: o.sf, runs: 1, warmups: 0 });
    } finally {
      for (const engine of engines) await engine.close();
    }
    const rows: PmemStudyRow[] = [];
    for (const c of o.configs) {
      o.log(`crash probe: ${c.label}`);
      const killSurvived = await crashProbe(c, path.join(root, 'probe', c.id), o.probeCommits);
      const driver = tpcc.drivers.find((d) => d.name === c.label);
      const queryMs = tpch.queries.reduce((sum, q) => sum + (q.results.find((e) => e.engine === c.label)?.ms ?? 0), 0);
      rows.push({
        config: c.id,
        label: c.label,
        tpmC: driver?.run?.tpmC ?? NaN,
        tpccTransactionsPerSecond: driver?.run?.transactionsPerSecond ?? NaN,
        tpcc: figures(tpccStats.get(c.label)),
        tpchQueryMs: queryMs,
        tpchLoadMs: tpch.loads.find((l) => l.engine === c.label)?.ms ?? NaN,
        tpch: figures(tpchStats.get(c.label)),
        killSurvived,
        powerLoss: c.powerLoss,
      });
    }
    return { benchmark: 'pmem', options: { tpccSeconds: o.tpccSeconds, tpccScale: o.tpccScale, sf: o.sf }, rows, tpcc, tpch };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export function formatPmemStudy(report: PmemStudyReport): string {
  const n = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const table = (header: string[], body: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
    return [line(header), '|' + widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|') + '|', ...body.map(line)].join('\n');
  };
  const survive = (r: PmemStudyRow) => `${r.killSurvived.present}/${r.killSurvived.acknowledged}`;
  const o = report.options;
  return [
    `TPC-C (fairdb SQL, 1 warehouse, ${o.tpccScale} scale, ${o.tpccSeconds} s, a persist barrier per commit):`,
    table(
      ['configuration', 'tpmC', 'txn/s', 'device ms', 'media MB', 'write amp.', 'fdatasyncs', 'acked commits kept after kill -9', 'survives power loss'],
      report.rows.map((r) => [r.label, n(r.tpmC), n(r.tpccTransactionsPerSecond), n(r.tpcc?.deviceTimeMs, 1), n(r.tpcc?.mediaMB, 1), n(r.tpcc?.writeAmplification, 2), n(r.tpcc?.hostSyncs), survive(r), r.powerLoss]),
    ),
    '',
    `TPC-H (SF ${o.sf}, all 22 queries, answers checked against SQLite):`,
    table(
      ['configuration', 'load ms', 'query ms (sum)', 'device ms', 'media MB', 'write amp.', 'acked commits kept after kill -9', 'survives power loss'],
      report.rows.map((r) => [r.label, n(r.tpchLoadMs), n(r.tpchQueryMs), n(r.tpch?.deviceTimeMs, 1), n(r.tpch?.mediaMB, 1), n(r.tpch?.writeAmplification, 2), survive(r), r.powerLoss]),
    ),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : undefined);
  const report = await runPmemStudy({ ...(value('--seconds') ? { tpccSeconds: value('--seconds')! } : {}), ...(value('--sf') ? { sf: value('--sf')! } : {}) });
  console.log(formatPmemStudy(report));
  if (!report.tpcc.passed || !report.tpch.passed) process.exitCode = 1;
}
