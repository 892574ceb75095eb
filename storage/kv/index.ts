/**
 * The KV engine: the raw interface the layers above use, the log-structured
 * store that implements it, the public key/value API over it, and the
 * in-memory reference model used as a test oracle.
 */
export * from './raw.js';
export * from './key-codec.js';
export * from './value-codec.js';
export * from './kv-store.js';
export { LogStore, valueBytesMax, transactionBytesMax, type LogStoreOptions, type CommitOptions, type Change, type ChangeWrite, type LogStoreStats, type VerifyChecksums } from './log-store.js';
export { ModelKvStore } from './model.js';
