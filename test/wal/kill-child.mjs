// Child process of the WAL process-kill test: opens the log on a pmem device
// backed by a file (built code from dist/), appends records with durability
// 'sync' forever and reports each acknowledged LSN to the parent, which kills
// it with SIGKILL at a random moment. Checkpoints and truncation run now and
// then, so kills also land in the middle of them.
import { openPmemDevice } from '../../dist/storage/pmem/index.js';
import { openWal } from '../../dist/wal/index.js';
import { killCheckpointImage, killPayload, killType } from './kill-payload.mjs';

const [path] = process.argv.slice(2);
const wal = openWal({ device: openPmemDevice({ path }), durability: 'sync', segmentBytes: 64 * 1024 });
process.send({ ready: wal.lastLsn });

async function run() {
  for (;;) {
    for (let n = 0; n < 10; n++) {
      const lsn = wal.lastLsn + 1;
      wal.append(killType(lsn), killPayload(lsn));
      await wal.commit();
      process.send({ acked: lsn });
      if (lsn % 53 === 0) {
        wal.writeCheckpoint(lsn, [killCheckpointImage(lsn)]);
        wal.truncate();
      }
    }
    // Let the IPC channel drain.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
run().catch((error) => {
  console.error(error);
  process.exit(1);
});
