/**
 * Options of the SQL engine, resolved and validated once (every violation
 * reported at once), then frozen.
 */
import { OptionsViolations } from '../storage/device/index.js';
import { resolveSqlLimits, type SqlLimits, type SqlLimitsOptions } from './limits.js';

/** Longest key prefix, in bytes. */
export const keyPrefixBytesMax = 64;

/** Default memory bound of the columnar cache, in bytes (1 GiB). */
export const columnarCacheBytesDefault = 1024 * 1024 * 1024;

/** Largest memory bound of the columnar cache, in bytes (64 GiB). */
export const columnarCacheBytesMax = 64 * 1024 * 1024 * 1024;

/** Most prepared statements `query()` keeps by SQL text. */
export const statementCacheSizeMax = 10_000;

export interface SqlEngineOptions {
  /**
   * Binary string (one char per byte, 0..255) that starts every key the
   * engine writes; it never reads or writes outside it. Default `'\u0001q'`;
   * at most `keyPrefixBytesMax` (64) bytes, not empty.
   */
  readonly keyPrefix?: string;
  /**
   * Serve full scans of read-mostly tables from typed-array copies of their
   * columns (see columnar.ts). Default true.
   */
  readonly columnarCache?: boolean;
  /**
   * Tables with fewer rows than this (the catalog's estimate) are never
   * cached column-wise; rows, default 1000, at least 0.
   */
  readonly columnarRowsMin?: number;
  /**
   * Memory the columnar cache may hold, over all tables, in bytes (typed
   * arrays exactly, strings estimated). Least recently used tables are
   * evicted to make room; a read whose columns cannot fit runs on the
   * store. Default `columnarCacheBytesDefault` (1 GiB), at least 0, at most
   * `columnarCacheBytesMax` (64 GiB).
   */
  readonly columnarCacheBytes?: number;
  /** Limits of the SQL parser (see limits.ts); default: the named constants there. */
  readonly limits?: SqlLimitsOptions;
  /**
   * Prepared statements `query()` keeps by SQL text, least recently used
   * evicted; count, default 64, 0 to disable, at most `statementCacheSizeMax`.
   */
  readonly statementCacheSize?: number;
}

export interface ResolvedSqlEngineOptions {
  readonly keyPrefix: string;
  readonly columnarCache: boolean;
  readonly columnarRowsMin: number;
  readonly columnarCacheBytes: number;
  readonly limits: SqlLimits;
  readonly statementCacheSize: number;
}

export function resolveSqlEngineOptions(options: SqlEngineOptions | undefined): ResolvedSqlEngineOptions {
  const o = options ?? {};
  const resolved = {
    keyPrefix: o.keyPrefix ?? '\u0001q',
    columnarCache: o.columnarCache ?? true,
    columnarRowsMin: o.columnarRowsMin ?? 1000,
    columnarCacheBytes: o.columnarCacheBytes ?? columnarCacheBytesDefault,
    limits: resolveSqlLimits(o.limits),
    statementCacheSize: o.statementCacheSize ?? 64,
  };
  const v = new OptionsViolations('SQL engine options');
  v.check(typeof resolved.keyPrefix === 'string' && resolved.keyPrefix.length > 0 && resolved.keyPrefix.length <= keyPrefixBytesMax, `keyPrefix must be a non-empty string of at most ${keyPrefixBytesMax} bytes`);
  v.check(typeof resolved.keyPrefix !== 'string' || [...resolved.keyPrefix].every((c) => c.charCodeAt(0) <= 0xff), 'keyPrefix must be a binary string (every char code in 0..255)');
  v.check(typeof resolved.columnarCache === 'boolean', 'columnarCache must be a boolean');
  v.check(Number.isSafeInteger(resolved.columnarRowsMin) && resolved.columnarRowsMin >= 0, 'columnarRowsMin must be an integer >= 0');
  v.check(
    Number.isSafeInteger(resolved.columnarCacheBytes) && resolved.columnarCacheBytes >= 0 && resolved.columnarCacheBytes <= columnarCacheBytesMax,
    `columnarCacheBytes must be an integer in [0, ${columnarCacheBytesMax}]`,
  );
  v.check(Number.isSafeInteger(resolved.statementCacheSize) && resolved.statementCacheSize >= 0 && resolved.statementCacheSize <= statementCacheSizeMax, `statementCacheSize must be an integer in [0, ${statementCacheSizeMax}]`);
  v.throwIfAny();
  return Object.freeze(resolved);
}
