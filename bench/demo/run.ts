/**
 * The main job (`npm start`, `fairdb demo`): TPC-H at SF 0.01 and a short
 * TPC-C run with one warehouse, fairdb on its embedded default (the pmem
 * device, in ./data) against better-sqlite3 and lmdb, with progress bars,
 * the comparison tables on the terminal, and a report in reports/latest.html
 * (charts) and reports/latest.json (every figure).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { betterSqlite3Driver, formatTpccReport, lmdbDriver, runTpcc, type TpccReport } from '../tpcc/index.js';
import { progressReporter } from '../tpcc/cli.js';
import { fairdbKvDriver, fairdbSqlDriver } from '../tpcc/fairdb-driver.js';
import { formatTpchReport, runTpch, sqliteEngine, type TpchReport } from '../tpch/index.js';
import { progressBars } from '../tpch/cli.js';
import { fairdbTpchEngine } from '../tpch/fairdb-engine.js';
import { renderReportHtml, type DemoReport } from './report.js';

export interface DemoOptions {
  /** Where fairdb keeps its databases; default ./data (emptied first). */
  readonly dataDirectory: string;
  /** Where the report goes; default ./reports. */
  readonly reportDirectory: string;
  /** TPC-H scale factor; default 0.01. */
  readonly sf: number;
  /** TPC-C seconds per database; default 12. */
  readonly tpccSeconds: number;
  /** TPC-C durability for every database; default 'sync'. */
  readonly durability: 'sync' | 'group';
  /** Show progress bars; default: when stderr is a terminal. */
  readonly progress: boolean;
  readonly out: (text: string) => void;
}

export async function runDemo(options: Partial<DemoOptions> = {}): Promise<DemoReport> {
  const o: DemoOptions = {
    dataDirectory: path.resolve('data'),
    reportDirectory: path.resolve('reports'),
    sf: 0.01,
    tpccSeconds: 12,
    durability: 'sync',
    progress: process.stderr.isTTY === true,
    out: (text) => process.stdout.write(text),
    ...options,
  };
  const startedAt = new Date().toISOString();
  // The demo owns ./data/demo: start from empty databases so runs are comparable.
  const root = path.join(o.dataDirectory, 'demo');
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const peers = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-demo-peers-'));
  try {
    o.out(`fairdb demo — TPC-H SF ${o.sf} and TPC-C (1 warehouse, ${o.tpccSeconds} s per database); fairdb data in ${root}\n\n`);
    const tpch = await runTpchPart(o, root, peers);
    o.out(`${formatTpchReport(tpch)}\n\n`);
    const tpcc = await runTpccPart(o, root);
    o.out(`${formatTpccReport(tpcc)}\n\n`);
    const cpus = os.cpus();
    const report: DemoReport = {
      benchmark: 'fairdb demo',
      startedAt,
      finishedAt: new Date().toISOString(),
      environment: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: os.totalmem() / 2 ** 30 },
      dataDirectory: root,
      tpch,
      tpcc,
      passed: tpch.passed && tpcc.passed,
    };
    fs.mkdirSync(o.reportDirectory, { recursive: true });
    fs.writeFileSync(path.join(o.reportDirectory, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(o.reportDirectory, 'latest.html'), renderReportHtml(report));
    o.out(`report: ${path.join(o.reportDirectory, 'latest.html')} (figures in latest.json)\n`);
    o.out(report.passed ? 'PASSED: every TPC-H answer matches SQLite and every TPC-C database is consistent\n' : 'FAILED: see the tables above\n');
    return report;
  } finally {
    fs.rmSync(peers, { recursive: true, force: true });
  }
}

async function runTpchPart(o: DemoOptions, root: string, peers: string): Promise<TpchReport> {
  const bars = o.progress ? progressBars(process.stderr) : undefined;
  const engines = [
    sqliteEngine({ path: path.join(peers, 'tpch.sqlite') }),
    fairdbTpchEngine({ directory: path.join(root, 'tpch') }),
  ];
  try {
    return await runTpch({ engines, sf: o.sf, ...(bars === undefined ? {} : { onProgress: bars.onProgress }) });
  } finally {
    bars?.stop();
    for (const engine of engines) await engine.close();
  }
}

async function runTpccPart(o: DemoOptions, root: string): Promise<TpccReport> {
  const reporter = o.progress ? progressReporter(process.stderr) : undefined;
  try {
    return await runTpcc({
      drivers: [betterSqlite3Driver(), fairdbSqlDriver(), lmdbDriver(), fairdbKvDriver()],
      warehouses: 1,
      seconds: o.tpccSeconds,
      durability: o.durability,
      directory: path.join(root, 'tpcc'),
      ...(reporter === undefined ? {} : { onProgress: reporter.onProgress }),
    });
  } finally {
    reporter?.stop();
  }
}
