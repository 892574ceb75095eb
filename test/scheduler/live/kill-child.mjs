// Child process of the kill soak: opens the database (built package), runs
// the jobs with a handler whose effect goes through ctx.transaction, and
// reports to the parent: { submitted } once the jobs are durable, { ready }
// once it runs jobs (run mode), { exec } at
// every handler start, { done } when every job has succeeded (finish mode).
import { open } from '../../../dist/engine/index.js';

const [dir, mode, jobsText] = process.argv.slice(2);
const jobs = Number(jobsText);
const db = open(dir);
db.scheduler.configure({ slots: 16, stallsMax: 1000 });
let seed = process.pid;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
db.worker(
  'effect',
  async (ctx) => {
    process.send({ exec: ctx.job.id, epoch: ctx.epoch });
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 15)));
    // The effect: a counter per job, committed exactly once.
    let ran = false;
    await ctx.transaction((tx) => {
      ran = true;
      const n = tx.get(['effect', ctx.job.id]) ?? 0;
      tx.put(['effect', ctx.job.id], n + 1);
      return n + 1;
    });
    // Committed by an attempt that was killed later: its memo came back instead.
    if (!ran) process.send({ replayed: ctx.job.id });
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
    // A second step, also exactly once.
    await ctx.transaction((tx) => tx.put(['shipped', ctx.job.id], (tx.get(['shipped', ctx.job.id]) ?? 0) + 1));
    return ctx.epoch;
  },
  { concurrency: 8, leaseMs: 1000 },
);
if (mode === 'run') process.send({ ready: true });
if (mode === 'submit') {
  const specs = [];
  for (let i = 0; i < jobs; i++) specs.push({ tenant: `t${i % 3}`, kind: 'effect', payload: { i } });
  for (let i = 0; i < specs.length; i += 500) db.jobs.submitMany(specs.slice(i, i + 500));
  // Durable once this later commit is: the log is persisted in order.
  await db.put('submitted', jobs);
  process.send({ submitted: jobs });
}
if (mode === 'finish') {
  const check = async () => {
    const left = db.query("SELECT COUNT(*) AS n FROM jobs WHERE state <> 'succeeded'")[0].n;
    if (left === 0) {
      await db.close();
      process.send({ done: true });
      process.exit(0);
    }
    setTimeout(check, 20);
  };
  void check();
}
