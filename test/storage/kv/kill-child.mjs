// Child process of the process-kill and lock tests: opens a database from the
// built package and either commits transactions forever, reporting each
// acknowledged one to the parent, or just holds the database open.
import { open } from '../../../dist/engine/index.js';

const [dir, mode, startText] = process.argv.slice(2);
const db = open(dir, { durability: 'sync', segmentBytes: 256 * 1024, checkpointBytes: 128 * 1024 });
if (mode === 'hold') {
  process.send({ ready: true });
  setInterval(() => {}, 1000);
} else {
  let i = Number(startText);
  const step = () => {
    for (let n = 0; n < 20; n++) {
      i++;
      db.transactionSync((tx) => {
        tx.put([i, 'a'], i);
        tx.put([i, 'b'], i);
        tx.put([i, 'c'], i);
        tx.put(['hot', i % 7], i);
      });
      process.send({ acked: i });
    }
    setImmediate(step); // let background checkpoints and compactions run
  };
  process.send({ ready: true });
  step();
}
