// Child process for the kill -9 test: appends 64-byte records to a pmem
// device backed by argv[2] with the built code, persists each one, and
// reports its index to the parent; it also writes a shadow copy of every
// record into the second half of the device without ever persisting it.
// It runs until the parent kills it.
import { openPmemDevice } from '../../../dist/storage/pmem/index.js';

const half = 1 << 19;
const device = openPmemDevice({ path: process.argv[2], sizeBytes: 2 * half });
const record = new Uint8Array(64);
let index = 0;

function appendSome() {
  for (let k = 0; k < 20 && index * 64 < half; k++, index++) {
    record.fill((index % 255) + 1);
    device.write(index * 64, record);
    device.persist(index * 64, 64);
    device.write(half + index * 64, record);
    process.send(index);
  }
  setImmediate(appendSome);
}
appendSome();
