/**
 * Kill soak: a child process running jobs is SIGKILLed at random moments;
 * after the last restart every job completes. Checked: 0 lost jobs, every
 * job succeeded, duplicate executions counted and reported (a job killed
 * mid-run runs again), and 0 duplicate committed effects through
 * ctx.transaction (each job's two steps committed exactly once). Runs the
 * built package (npm test builds first). FAIRDB_SOAK=1 runs longer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../storage/device/index.js';
import { tempDir } from './helpers.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-child.mjs');

interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  /** Resolves once the child runs jobs (submit mode: once its jobs are durable). */
  readonly submitted: Promise<void>;
  readonly done: Promise<void>;
}

function start(dir: string, mode: 'submit' | 'run' | 'finish', jobs: number, executions: Map<string, number>, replays: { count: number }): Child {
  const proc = fork(childScript, [dir, mode, String(jobs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onSubmitted: () => void = () => undefined;
  let onDone: () => void = () => undefined;
  const submitted = new Promise<void>((resolve) => (onSubmitted = resolve));
  const done = new Promise<void>((resolve) => (onDone = resolve));
  proc.on('message', (m: { exec?: string; replayed?: string; submitted?: number; ready?: boolean; done?: boolean }) => {
    if (m.exec !== undefined) executions.set(m.exec, (executions.get(m.exec) ?? 0) + 1);
    if (m.replayed !== undefined) replays.count++;
    if (m.submitted !== undefined || m.ready === true) onSubmitted();
    if (m.done === true) onDone();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, exited, submitted, done };
}

describe('kill soak', () => {
  it('loses no job, completes every job, and commits every effect exactly once across SIGKILLs', async () => {
    const soak = process.env.FAIRDB_SOAK !== undefined;
    const kills = soak ? 25 : 3;
    const jobs = soak ? 3000 : 200;
    const random = seededRandom(Number(process.env.FAIRDB_SEED ?? 17));
    const dir = tempDir();
    const executions = new Map<string, number>();
    const replays = { count: 0 };
    for (let round = 0; round < kills; round++) {
      const child = start(dir, round === 0 ? 'submit' : 'run', jobs, executions, replays);
      // Killed while it runs jobs: after it is ready, at a random moment.
      await Promise.race([child.submitted, child.exited]);
      await new Promise((resolve) => setTimeout(resolve, random.int(20, 250)));
      child.proc.kill('SIGKILL');
      await child.exited;
    }
    const last = start(dir, 'finish', jobs, executions, replays);
    let finished = false;
    await Promise.race([last.done.then(() => (finished = true)), last.exited]);
    await last.exited;
    expect(finished, `the last child exited before every job succeeded (seed ${random.seed})`).toBe(true);

    const { open } = (await import('../../../dist/engine/index.js')) as typeof import('../../../engine/index.js');
    const db = open(dir);
    try {
      const states = db.query('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state');
      expect(states, `seed ${random.seed}`).toEqual([{ state: 'succeeded', n: jobs }]);
      let duplicateEffects = 0;
      let missingEffects = 0;
      for (let id = 1; id <= jobs; id++) {
        for (const step of ['effect', 'shipped']) {
          const n = db.get([step, String(id)]) as number | undefined;
          if (n === undefined) missingEffects++;
          else if (n > 1) duplicateEffects++;
        }
      }
      let executed = 0;
      for (const n of executions.values()) executed += n;
      const rerun = [...executions.values()].filter((n) => n > 1).length;
      const stalls = db.query('SELECT SUM(stalls) AS stalls, MAX(epoch) AS epochMax FROM jobs')[0]!;
      console.log(
        `[kill soak] ${kills} SIGKILLs, ${jobs} jobs: 0 lost, ${jobs} succeeded; ${executed} executions seen (${executed - jobs} duplicates, ${rerun} jobs ran more than once); ` +
          `${stalls.stalls} stalls recovered, highest epoch ${stalls.epochMax}; ${replays.count} re-runs got a committed step back from its memo; duplicate committed effects ${duplicateEffects}, missing ${missingEffects} (seed ${random.seed})`,
      );
      expect(missingEffects, `seed ${random.seed}`).toBe(0);
      expect(duplicateEffects, `seed ${random.seed}`).toBe(0);
      expect(executions.size, `seed ${random.seed}`).toBe(jobs);
    } finally {
      await db.close();
    }
  }, 600_000);
});
