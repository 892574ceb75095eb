/**
 * Kills a child process that appends with durability 'sync' to a log on a
 * file-backed pmem device, at random moments, and checks after each kill
 * that every LSN the child reported as acknowledged is recovered and every
 * recovered record (and the checkpoint image) is intact. The child runs the
 * built code from dist/ (`npm test` builds first; run `npx tsc -p .` before
 * running this file alone). FAIRDB_SOAK=1 kills it many more times.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { openPmemDevice } from '../../storage/pmem/index.js';
import { openWal } from '../../wal/index.js';
// @ts-expect-error: a plain .mjs module shared with the child, without type declarations.
import { killCheckpointImage, killPayload, killType } from './kill-payload.mjs';
import { sameBytes } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'kill-child.mjs');
const built = path.join(here, '..', '..', 'dist', 'wal', 'index.js');
const soak = process.env.FAIRDB_SOAK !== undefined;
const kills = soak ? 60 : 4;
const seed = 777;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs the child until it has acknowledged at least one record, then kills it after `delayMs`; returns the highest acknowledged LSN. */
function runAndKill(file: string, delayMs: number): Promise<{ acked: number; start: number }> {
  return new Promise((resolve, reject) => {
    const proc = fork(child, [file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let acked = 0;
    let start = -1;
    let armed = false;
    proc.on('message', (m: { acked?: number; ready?: number }) => {
      if (m.ready !== undefined) start = m.ready;
      if (m.acked !== undefined) {
        acked = Math.max(acked, m.acked);
        if (!armed) {
          armed = true;
          setTimeout(() => proc.kill('SIGKILL'), delayMs);
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the child exited by itself (code ${code}, signal ${signal})`));
      else resolve({ acked, start });
    });
  });
}

describe('process kill', () => {
  it(`acknowledged LSNs survive ${kills} SIGKILLs of a committing process`, async () => {
    expect(fs.existsSync(built), `${built} is missing: run npx tsc -p . first`).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-wal-kill-'));
    dirs.push(dir);
    const file = path.join(dir, 'log.pmem');
    const random = seededRandom(seed);
    let ackedMax = 0;
    let recoveredTotal = 0;
    const cases = new Map<string, number>();
    for (let kill = 0; kill < kills; kill++) {
      const where = `seed ${seed}, kill ${kill}`;
      const { acked, start } = await runAndKill(file, random.int(20, 400));
      expect(start, `${where}: the child resumed at the last recovered LSN`).toBeGreaterThanOrEqual(ackedMax);
      ackedMax = Math.max(ackedMax, acked);
      const wal = openWal({ device: openPmemDevice({ path: file }) });
      cases.set(wal.recovery.case, (cases.get(wal.recovery.case) ?? 0) + 1);
      const checkpoint = wal.readCheckpoint();
      if (checkpoint !== undefined) expect(sameBytes(checkpoint.image, killCheckpointImage(checkpoint.lsn)), `${where}: checkpoint image`).toBe(true);
      let next = (checkpoint?.lsn ?? 0) + 1;
      wal.replay((ref, payload) => {
        expect(ref.lsn, where).toBe(next);
        expect(ref.type, where).toBe(killType(ref.lsn));
        expect(sameBytes(payload, killPayload(ref.lsn)), `${where}: record ${ref.lsn} intact`).toBe(true);
        next++;
      });
      const recovered = next - 1;
      expect(recovered, `${where}: acknowledged ${ackedMax} ⊆ recovered ${recovered}`).toBeGreaterThanOrEqual(ackedMax);
      recoveredTotal = recovered;
      await wal.close();
    }
    console.log(`process-kill: ${kills} SIGKILLs, ${ackedMax} LSNs acknowledged, ${recoveredTotal} recovered, 0 lost; recovery cases ${JSON.stringify(Object.fromEntries(cases))}`);
  }, soak ? 1_800_000 : 60_000);
});
