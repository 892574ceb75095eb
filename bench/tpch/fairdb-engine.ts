/**
 * fairdb as a TPC-H engine: its SQL engine over a database opened with the
 * given options (the embedded default, pmem, unless told otherwise), loaded
 * through prepared inserts in transactions like every other engine.
 */
import { open, type DatabaseStats, type OpenOptions } from '../../engine/index.js';
import { sqlTpchEngine, type TpchEngine } from './engine.js';

export interface FairdbTpchEngineOptions {
  /** Name in reports; default 'fairdb'. */
  readonly name?: string;
  /** Directory of the database (created if needed; should be empty). Required. */
  readonly directory: string;
  /** Options of `open()`; default: the embedded default with durability 'group'. */
  readonly openOptions?: OpenOptions;
  /** Secondary indexes to build (see schema.ts); default: all. */
  readonly indexes?: readonly string[];
  /** Receives the database's statistics just before it closes. */
  readonly onClose?: (stats: DatabaseStats) => void;
}

export function fairdbTpchEngine(options: FairdbTpchEngineOptions): TpchEngine {
  const db = open(options.directory, options.openOptions ?? { durability: 'group' });
  return sqlTpchEngine({
    name: options.name ?? 'fairdb',
    dialect: 'fairdb',
    connection: db.sql,
    ...(options.indexes === undefined ? {} : { indexes: options.indexes }),
    close: async () => {
      options.onClose?.(db.stats());
      await db.close();
    },
  });
}
