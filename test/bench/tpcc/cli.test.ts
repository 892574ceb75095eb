import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { lmdbDriver } from '../../../bench/tpcc/lmdb-driver.js';
import { betterSqlite3Driver } from '../../../bench/tpcc/better-sqlite3-driver.js';
import { exitCodeFailure, exitCodeUsage, runTpccCli } from '../../../bench/tpcc/cli.js';
import { lostWarehouseUpdatesDriver, tempDirectory } from './helpers.js';

// Loading real databases takes seconds on a busy machine; no test asserts a duration.
vi.setConfig({ testTimeout: 60_000 });

const directory = tempDirectory('cli');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

function capture() {
  let text = '';
  return { write: (s: string) => void (text += s), get text() { return text; } };
}

async function cli(argv: string[], drivers = [betterSqlite3Driver(), lmdbDriver()]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runTpccCli(argv, { drivers, stdout, stderr, runOptions: { scale: 'tenth', transactionsMax: 150 } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('fairdb bench tpcc', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--warehouses', '--seconds', '--durability', '--json', '--drivers']) expect(stdout).toContain(option);
  });

  it.each([
    [['--warehouses', '0'], /--warehouses must be an integer from 1 to 100, got '0'/],
    [['--warehouses', '101'], /--warehouses must be an integer from 1 to 100/],
    [['--warehouses', '1.5'], /--warehouses must be an integer/],
    [['--warehouses', 'many'], /--warehouses must be an integer/],
    [['--seconds', '0'], /--seconds must be a number above 0/],
    [['--seconds', '-3'], /--seconds must be a number above 0/],
    [['--seconds', '86401'], /at most 86400/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--durability', 'eventual'], /Allowed choices are sync, group/],
    [['--drivers', 'postgres'], /unknown driver 'postgres'; available: better-sqlite3, lmdb/],
    [['--drivers', 'lmdb,lmdb'], /lists a driver twice/],
    [['--json', ''], /--json needs a file name/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['extra'], /too many arguments/],
  ])('rejects %j with exit code 2', async (argv, message) => {
    const { code, stderr, stdout } = await cli(argv);
    expect(code).toBe(exitCodeUsage);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('reports every bad argument at once', async () => {
    const { code, stderr } = await cli(['--warehouses', '0', '--seconds', 'soon', '--drivers', 'nope']);
    expect(code).toBe(exitCodeUsage);
    expect(stderr).toMatch(/--warehouses.*--seconds.*unknown driver 'nope'/);
  });

  it('runs, prints the table and writes the JSON report', async () => {
    const json = path.join(directory, 'tpcc.json');
    const { code, stdout, stderr } = await cli(['--seconds', '120', '--durability', 'group', '--json', json, '--dir', directory, '--drivers', 'lmdb']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/lmdb .* passed/);
    expect(stderr).toMatch(/loading lmdb/);
    const report = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ passed: true, durability: 'group', scale: 'tenth', warehouses: 1 });
    expect(report.drivers.map((d: { name: string }) => d.name)).toEqual(['lmdb']);
    expect(report.drivers[0].run.transactions).toBe(150);
  });

  it('exits 1 when a database fails the consistency conditions', async () => {
    const { code, stdout } = await cli(['--durability', 'group', '--dir', directory], [lostWarehouseUpdatesDriver()]);
    expect(code).toBe(exitCodeFailure);
    expect(stdout).toMatch(/W_YTD = sum\(D_YTD\): FAILED/);
    expect(stdout).toMatch(/RUN FAILED/);
  });
});
