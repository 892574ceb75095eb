/**
 * The database lock: one process per database, with a pid lock file that a
 * dead owner's successor takes over.
 */
export { acquireLock, lockAttemptsMax, lockFileBytesMax, lockFormatVersion, lockSettleMs, type DatabaseLock } from './database-lock.js';
