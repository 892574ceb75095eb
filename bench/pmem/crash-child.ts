/**
 * Child process of the PMEM study's crash probe: opens a database with the
 * configuration given as JSON, commits one key per transaction with
 * durability 'sync', and reports every acknowledged commit to the parent,
 * which kills it with SIGKILL.
 */
import { open, type OpenOptions } from '../../engine/index.js';

const [directory, configText] = process.argv.slice(2);
const config = JSON.parse(configText ?? '{}') as OpenOptions;
const db = open(directory ?? '.', { ...config, durability: 'sync' });
let i = 0;
const step = (): void => {
  for (let n = 0; n < 10; n++) {
    i++;
    db.transactionSync((tx) => tx.put(i, i));
    process.send?.({ acked: i });
  }
  setImmediate(step);
};
step();
