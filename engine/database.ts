/**
 * `open()` and the `Database` facade: the one place that assembles the
 * layers (device, log store, key-value API; tables and the job scheduler are
 * attached here as they land).
 */
import {
  ClosedError,
  InvalidArgumentError,
  OptionsViolations,
  systemClock,
  type Clock,
  type Device,
} from '../storage/device/index.js';
import { MemoryDevice } from '../storage/memory-device/index.js';
import { openPmemDevice, type LatencyModel } from '../storage/pmem/index.js';
import { openFileDevice } from '../storage/file-device/index.js';
import { acquireLock, type DatabaseLock } from '../storage/lock/index.js';
import { databaseFiles, fileExists } from '../storage/database-dir/index.js';
import {
  KvApi,
  KvTransactionApi,
  LogStore,
  keyCodec,
  valueCodec,
  type CommitOptions,
  type Entry,
  type Key,
  type KvTransaction,
  type LogStoreStats,
  type RangeIterable,
  type RangeOptions,
  type RawIterable,
  type RawSnapshot,
  type RawWriter,
  type ValueEncoding,
  type KeyEncoding,
  type VerifyChecksums,
} from '../storage/kv/index.js';
import type { Durability } from '../wal/index.js';
import { createSqlEngine, type Row, type SqlEngine, type Statement } from '../query/index.js';
import { JobSystem, type Jobs, type SchedulerControl } from './jobs.js';
import { registerJobTables, type ChangesOptions, type FeedChange, type HandlerModule, type JobHandler, type Worker, type WorkerOptions } from '../scheduler/live/index.js';

export type DeviceChoice = 'pmem' | 'file' | 'memory';

export interface PmemOpenOptions {
  /** 'appdirect' (default): persistent. 'memory': Optane Memory Mode, volatile by design. */
  readonly mode?: 'appdirect' | 'memory';
  /** Latency model: 'none' (default), 'optane', 'dram' or custom figures. */
  readonly latency?: 'none' | 'optane' | 'dram' | LatencyModel;
  /** Busy-wait for the modelled device time (wall-clock benchmarks); default false. */
  readonly injectDelay?: boolean;
  /**
   * fdatasync the backing file at every persist barrier; default false.
   * Without it, committed data survives a process crash but not power loss.
   */
  readonly fsync?: boolean;
}

export interface OpenOptions {
  /** Where data lives: 'pmem' (default), 'file' (block device + fdatasync) or 'memory' (volatile). */
  readonly device?: DeviceChoice;
  readonly pmem?: PmemOpenOptions;
  /** When a commit is durable: 'group' (default), 'sync' or 'none'. */
  readonly durability?: Durability;
  /** Value encoding of the key-value API; default 'msgpack'. */
  readonly encoding?: ValueEncoding;
  /** Key encoding: 'ordered-binary' (default; typed keys in natural order) or 'binary' (Uint8Array keys). */
  readonly keyEncoding?: KeyEncoding;
  /** Log segment size in bytes for a new database; default 16 MiB. */
  readonly segmentBytes?: number;
  /** Automatic checkpoint after this many log bytes, or the last checkpoint's size if larger; default 32 MiB; 0 = off. */
  readonly checkpointBytes?: number;
  /** Automatic compaction when dead space exceeds this fraction; default 0.5; 0 = off. */
  readonly compactionDeadRatio?: number;
  /** 'recovery' (default) or 'always' (verify every value read). */
  readonly verifyChecksums?: VerifyChecksums;
  /** Time for the job system (leases, delays, cron, deadlines): default the system clock; a `ManualClock` in tests. */
  readonly clock?: Clock;
}

export interface DatabaseStats extends LogStoreStats {
  readonly path: string;
  readonly deviceKind: DeviceChoice;
}

/** A fairdb database. Create it with `open()`. */
export class Database<V = any> {
  /** The directory of the database, or ':memory:'. */
  readonly path: string;
  /** @internal The raw store, for the layers the engine attaches. */
  readonly store: LogStore;
  private readonly kv: KvApi<V>;
  private readonly lock: DatabaseLock | undefined;
  private readonly deviceKind: DeviceChoice;
  private closing: Promise<void> | undefined;
  private readonly codecs: { encoding: ValueEncoding; keyEncoding: KeyEncoding };
  private readonly clock: Clock;
  private jobSystem: JobSystem | undefined;

  /** @internal Use `open()`. */
  constructor(parts: { path: string; store: LogStore; lock: DatabaseLock | undefined; deviceKind: DeviceChoice; encoding: ValueEncoding; keyEncoding: KeyEncoding; clock?: Clock }) {
    this.path = parts.path;
    this.store = parts.store;
    this.lock = parts.lock;
    this.deviceKind = parts.deviceKind;
    this.codecs = { encoding: parts.encoding, keyEncoding: parts.keyEncoding };
    this.kv = new KvApi<V>(this.store, this.codecs);
    this.clock = parts.clock ?? systemClock;
  }

  private jobsNow(): JobSystem {
    this.store.checkOpen();
    this.jobSystem ??= new JobSystem({
      store: this.store,
      clock: this.clock,
      keys: keyCodec(this.codecs.keyEncoding),
      values: valueCodec(this.codecs.encoding),
      userTransaction: (fn) => this.transaction(fn),
      sql: () => this.sql,
    });
    return this.jobSystem;
  }

  /** The job table: submit, get, cancel, retry, events (see engine/jobs.ts). */
  get jobs(): Jobs {
    return this.jobsNow().jobs;
  }

  /** The live scheduler's configuration, and simulation over stored workloads. */
  get scheduler(): SchedulerControl {
    return this.jobsNow().scheduler;
  }

  /**
   * Runs `handler` for jobs of `kind` (`{ concurrency, threads, leaseMs }`).
   * IMPORTANT: an open worker keeps the process alive; close it or the database.
   */
  worker<P = any>(kind: string, handler: JobHandler<P> | HandlerModule, options?: WorkerOptions): Worker {
    return this.jobsNow().worker(kind, handler, options);
  }

  /** An ordered, resumable feed of committed writes and job transitions (`for await`). */
  changes<T = V>(options?: ChangesOptions): AsyncIterableIterator<FeedChange<T>> {
    return this.jobsNow().changes<T>(options);
  }

  private sqlEngine: SqlEngine | undefined;

  /**
   * The SQL engine over this database (created on first use; its catalog is
   * stored in the database). Tables live under their own reserved keys, so
   * they never collide with keys of the key-value API.
   */
  get sql(): SqlEngine {
    this.store.checkOpen();
    if (this.sqlEngine === undefined) {
      this.sqlEngine = createSqlEngine(this.store);
      registerJobTables(this.sqlEngine, () => this.jobSystem?.nowMs() ?? this.clock.now());
    }
    return this.sqlEngine;
  }

  /** Runs one or more SQL statements (DDL, DML, BEGIN/COMMIT/ROLLBACK). */
  exec(sql: string): void {
    this.sql.exec(sql);
  }

  /** Runs one SQL query; rows as objects keyed by column name, in select-list order. */
  query(sql: string, params?: readonly unknown[] | Record<string, unknown>): Row[] {
    return this.sql.query(sql, params);
  }

  /** Parses and plans one SQL statement once (see `Statement`: all, get, run, iterate, raw). */
  prepare(sql: string): Statement {
    return this.sql.prepare(sql);
  }

  /** The plan the SQL engine chooses for a statement, as text. */
  explain(sql: string): string {
    return this.sql.explain(sql);
  }

  /** The value of `key`, or undefined. Synchronous. */
  get(key: Key): V | undefined {
    return this.kv.get(key);
  }

  doesExist(key: Key): boolean {
    return this.kv.doesExist(key);
  }

  /**
   * Sets `key`; resolves once durable per the database's durability. The
   * write is visible to reads at once. Errors (a bad key or value) reject.
   */
  put(key: Key, value: V): Promise<void> {
    try {
      // Fast path: a one-write commit shares its group's promise, so a
      // burst of puts allocates no promise per put.
      if (this.store.directWritable) return this.store.writeOne(this.kv.keys.encode(key), this.kv.codec.encode(value)) ?? settled;
      return this.transaction((tx) => tx.put(key, value)).then(noop);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Deletes `key`; resolves to whether it existed, once durable. */
  async del(key: Key): Promise<boolean> {
    if (!this.store.directWritable) return this.transaction((tx) => tx.del(key));
    const raw = this.kv.keys.encode(key);
    const existed = this.store.has(raw);
    await this.store.writeOne(raw, null);
    return existed;
  }

  /**
   * Entries of a key range, in key order, read lazily: `start` inclusive,
   * `end` exclusive; with `reverse: true` from `start` down to `end`, as in
   * lmdb-js. Each iteration reads the database as it is when it starts.
   */
  getRange(options: RangeOptions = {}): RangeIterable<V> {
    return this.kv.getRange(options);
  }

  /**
   * Runs `fn` as one atomic transaction and returns its result. `fn` must be
   * synchronous; if it throws, nothing it wrote is applied. Durable on return
   * when durability is 'sync'; otherwise durable by the end of the current
   * event-loop turn ('group') or shortly after ('none').
   */
  transactionSync<T>(fn: (tx: KvTransaction<V>) => T, options?: CommitOptions): T {
    return this.store.transactionSync((raw) => fn(this.transactionApi(raw)), options);
  }

  /** As `transactionSync`, resolving once the transaction is durable. */
  transaction<T>(fn: (tx: KvTransaction<V>) => T, options?: CommitOptions): Promise<T> {
    return this.store.transaction((raw) => fn(this.transactionApi(raw)), options);
  }

  /** Sets `key` and makes it durable before returning, whatever the durability (lmdb-js's putSync). */
  putSync(key: Key, value: V): void {
    this.transactionSync((tx) => tx.put(key, value), { durability: 'sync' });
  }

  /** Deletes `key` durably before returning; returns whether it existed. */
  removeSync(key: Key): boolean {
    return this.transactionSync((tx) => tx.del(key), { durability: 'sync' });
  }

  /**
   * A consistent read-only view of the database as it is now.
   * IMPORTANT: a snapshot pins log segments until released; release it.
   */
  snapshot(): Snapshot<V> {
    return new Snapshot<V>(this.store.snapshotRaw(), this.codecs);
  }

  /** Writes a checkpoint now (reopening then replays only what follows). */
  checkpoint(): Promise<void> {
    return this.store.checkpoint();
  }

  /** Compacts every log segment with dead space, then checkpoints. */
  compact(): Promise<void> {
    return this.store.compact();
  }

  stats(): DatabaseStats {
    return { path: this.path, deviceKind: this.deviceKind, ...this.store.stats() };
  }

  /** Makes everything committed so far durable, then closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.jobSystem?.close();
        await this.store.close();
      } finally {
        this.lock?.release();
      }
    })();
    return this.closing;
  }

  private transactionApi(raw: RawWriter): KvTransaction<V> {
    return new KvTransactionApi<V>(raw, this.kv.keys, this.kv.codec);
  }
}

const settled: Promise<void> = Promise.resolve();
const noop = (): void => undefined;

/** A consistent read-only view; see `Database.snapshot()`. */
export class Snapshot<V> {
  private readonly kv: KvApi<V>;

  constructor(
    private readonly raw: RawSnapshot & RawIterable,
    codecs: { encoding: ValueEncoding; keyEncoding: KeyEncoding },
  ) {
    this.kv = new KvApi<V>(raw, codecs);
  }

  get(key: Key): V | undefined {
    return this.kv.get(key);
  }

  doesExist(key: Key): boolean {
    return this.kv.doesExist(key);
  }

  getRange(options: RangeOptions = {}): RangeIterable<V> {
    return this.kv.getRange(options);
  }

  release(): void {
    this.raw.release();
  }
}

/**
 * Opens (creating if needed) the database in directory `path`. Throws
 * `LOCKED` when another live process has it open; a lock left by a dead
 * process is taken over. With `device: 'memory'` nothing touches the disk
 * and `path` is only a name.
 */
export function open<V = any>(path: string, options: OpenOptions = {}): Database<V> {
  const resolved = resolveOpenOptions(options);
  if (resolved.device === 'memory') {
    const store = new LogStore({ ...resolved.store, device: new MemoryDevice() });
    return new Database<V>({ path: ':memory:', store, lock: undefined, deviceKind: 'memory', encoding: resolved.encoding, keyEncoding: resolved.keyEncoding, clock: resolved.clock });
  }
  const files = databaseFiles(path);
  const lock = acquireLock(files.lockFile);
  let device: Device | undefined;
  try {
    if (resolved.device === 'pmem') {
      if (fileExists(files.blockFile)) throw new InvalidArgumentError(`${files.directory} holds a 'file' device database; open it with device: 'file'`);
      device = openPmemDevice({ path: files.pmemFile, ...resolved.pmem });
    } else {
      if (fileExists(files.pmemFile)) throw new InvalidArgumentError(`${files.directory} holds a 'pmem' device database; open it with device: 'pmem'`);
      device = openFileDevice({ path: files.blockFile });
    }
    const store = new LogStore({ ...resolved.store, device });
    return new Database<V>({ path: files.directory, store, lock, deviceKind: resolved.device, encoding: resolved.encoding, keyEncoding: resolved.keyEncoding, clock: resolved.clock });
  } catch (error) {
    try {
      device?.close();
    } finally {
      lock.release();
    }
    throw error;
  }
}

function resolveOpenOptions(options: OpenOptions) {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('open options must be an object');
  const v = new OptionsViolations('open options');
  const device = options.device ?? 'pmem';
  v.check(device === 'pmem' || device === 'file' || device === 'memory', `device must be 'pmem', 'file' or 'memory', got ${String(device)}`);
  const encoding = options.encoding ?? 'msgpack';
  v.check(['msgpack', 'binary', 'string', 'json'].includes(encoding), `encoding must be 'msgpack', 'binary', 'string' or 'json', got ${String(encoding)}`);
  const keyEncoding = options.keyEncoding ?? 'ordered-binary';
  v.check(keyEncoding === 'ordered-binary' || keyEncoding === 'binary', `keyEncoding must be 'ordered-binary' or 'binary', got ${String(keyEncoding)}`);
  const pmem = options.pmem ?? {};
  v.check(typeof pmem === 'object' && pmem !== null, 'pmem options must be an object');
  const clock = options.clock ?? systemClock;
  v.check(typeof clock?.now === 'function' && typeof clock?.setTimer === 'function', 'clock must have now() and setTimer()');
  v.throwIfAny();
  return {
    device,
    encoding,
    keyEncoding,
    clock,
    pmem: {
      mode: pmem.mode ?? 'appdirect',
      latency: pmem.latency ?? 'none',
      injectDelay: pmem.injectDelay ?? false,
      fsync: pmem.fsync ?? false,
    },
    store: {
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }),
      ...(options.checkpointBytes === undefined ? {} : { checkpointBytes: options.checkpointBytes }),
      ...(options.compactionDeadRatio === undefined ? {} : { compactionDeadRatio: options.compactionDeadRatio }),
      ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
    },
  } as const;
}

export type { Entry, Key, KvTransaction, RangeIterable, RangeOptions, Row, SqlEngine, Statement };
export { ClosedError };
