// Child process for lock tests: takes the lock given as argv[2] with the
// built code, reports to the parent, and holds it until killed.
import { acquireLock } from '../../../dist/storage/lock/index.js';

const lock = acquireLock(process.argv[2]);
process.send({ pid: process.pid, held: lock.held });
setInterval(() => {}, 60_000);
