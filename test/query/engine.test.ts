/**
 * The SQL engine's API and guarantees beyond single statements: persistence
 * (a new engine over the same store), transactions, statements, parameters,
 * virtual tables, the columnar cache's consistency, prototype safety and
 * the limits at the limit and one past it.
 */
import { describe, expect, it } from 'vitest';
import { FairdbError } from '../../storage/device/index.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import type { RawKey } from '../../storage/kv/raw.js';
import { createSqlEngine, type SqlEngine } from '../../query/index.js';
import { rowBytesMax } from '../../query/row-format.js';
import { sqlKeyBytesMax } from '../../query/key-format.js';
import { joinSourcesMax } from '../../query/binder.js';
import { indexColumnsMax } from '../../query/catalog.js';
import { parseDepthMax } from '../../query/limits.js';
import { likePatternLengthMax } from '../../query/like.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof FairdbError) return error.code;
    throw error;
  }
  return 'no error';
}

function fresh(): { store: ModelKvStore; db: SqlEngine } {
  const store = new ModelKvStore();
  return { store, db: createSqlEngine(store, { columnarRowsMin: 0 }) };
}

describe('persistence', () => {
  it('a new engine over the same store sees tables, indexes and rows', () => {
    const { store, db } = fresh();
    db.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, d DATE DEFAULT '2024-05-06', UNIQUE (name));
      CREATE INDEX t_d ON t (d);
      CREATE TABLE log (msg TEXT);
      INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b');
      INSERT INTO log VALUES ('x'), ('y');
    `);
    // Enough rows with other dates that the planner prefers the index.
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 10; i < 400; i++) insert.run(i, `n${i}`, `2023-01-${String(1 + (i % 28)).padStart(2, '0')}`);
    })();
    const again = createSqlEngine(store);
    expect(again.tables().map((t) => t.name)).toEqual(['t', 'log']);
    expect(again.query('SELECT * FROM t WHERE id < 10 ORDER BY id')).toEqual([
      { id: 1, name: 'a', d: '2024-05-06' },
      { id: 2, name: 'b', d: '2024-05-06' },
    ]);
    expect(again.query("SELECT count(*) AS n FROM t WHERE d = '2024-05-06'")).toEqual([{ n: 2 }]);
    // The index and the UNIQUE constraint survived, and are used and enforced.
    expect(again.explain('SELECT id FROM t WHERE d = ?')).toContain('index t_d');
    expect(code(() => again.exec("INSERT INTO t (id, name) VALUES (3, 'a')"))).toBe('CONSTRAINT');
    // Rowids continue after the largest one.
    again.exec("INSERT INTO log VALUES ('z')");
    expect(again.query('SELECT rowid, msg FROM log ORDER BY rowid')).toEqual([
      { rowid: 1, msg: 'x' },
      { rowid: 2, msg: 'y' },
      { rowid: 3, msg: 'z' },
    ]);
    // Dropped tables stay dropped.
    again.exec('DROP TABLE log');
    expect(createSqlEngine(store).tables().map((t) => t.name)).toEqual(['t']);
  });

  it('rolled-back transactions leave nothing, in the store or in a new engine', () => {
    const { store, db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const before = store.size;
    db.exec("BEGIN; INSERT INTO t VALUES (1, 'a'); CREATE TABLE u (x INTEGER); CREATE INDEX t_v ON t (v); ROLLBACK");
    expect(store.size).toBe(before);
    const fail = db.transaction(() => {
      db.exec("INSERT INTO t VALUES (2, 'b')");
      db.exec('CREATE TABLE w (x INTEGER)');
      throw new Error('abort');
    });
    expect(() => fail()).toThrow('abort');
    expect(store.size).toBe(before);
    for (const engine of [db, createSqlEngine(store)]) {
      expect(engine.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
      expect(engine.tables().map((t) => t.name)).toEqual(['t']);
      expect(code(() => engine.query('SELECT * FROM w'))).toBe('UNKNOWN_TABLE');
    }
  });

  it('keeps every key under its prefix, and two prefixes are two databases', () => {
    const store = new ModelKvStore();
    const a = createSqlEngine(store, { keyPrefix: '\x01a' });
    const b = createSqlEngine(store, { keyPrefix: '\x01b' });
    a.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)');
    b.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (2), (3)');
    const keys: RawKey[] = [];
    store.scanRaw({}, (key) => {
      keys.push(key);
    });
    expect(keys.every((k) => k.startsWith('\x01a') || k.startsWith('\x01b'))).toBe(true);
    expect(createSqlEngine(store, { keyPrefix: '\x01a' }).query('SELECT x FROM t')).toEqual([{ x: 1 }]);
    expect(createSqlEngine(store, { keyPrefix: '\x01b' }).query('SELECT count(*) AS n FROM t')).toEqual([{ n: 2 }]);
  });

  it('unique indexes: value-keyed entries, and indexes of the older layout keep working', () => {
    const { store, db } = fresh();
    db.exec(`
      CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT, team INTEGER);
      CREATE UNIQUE INDEX u_email ON u (email);
      CREATE UNIQUE INDEX u_team_email ON u (team, email);
    `);
    const insert = db.prepare('INSERT INTO u VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 300; i++) insert.run(i, i % 50 === 0 ? null : `e${i}`, i % 3);
    })();
    // Entries without NULL are keyed by the values (the primary key is the value);
    // entries with a NULL end with the primary key and have an empty value.
    const entries: { key: RawKey; value: Uint8Array }[] = [];
    store.scanRaw({ start: '\x01q\x11', end: '\x01q\x12' }, (key, buffer, offset, length) => {
      entries.push({ key, value: buffer.slice(offset, offset + length) });
    });
    expect(entries.length).toBe(600);
    expect(entries.filter((e) => e.value.length > 0).length).toBe(2 * 294);
    const check = (engine: SqlEngine) => {
      expect(engine.query("SELECT id FROM u WHERE email = 'e7'")).toEqual([{ id: 7 }]);
      expect(engine.query("SELECT id FROM u WHERE team = 2 AND email = 'e8'")).toEqual([{ id: 8 }]);
      expect(engine.query('SELECT count(*) AS n FROM u WHERE email IS NULL')).toEqual([{ n: 6 }]);
      expect(code(() => engine.exec("INSERT INTO u VALUES (1000, 'e9', 7)"))).toBe('CONSTRAINT');
      expect(code(() => engine.exec("UPDATE u SET email = 'e10' WHERE id = 11"))).toBe('CONSTRAINT');
      // NULLs never collide.
      engine.exec('INSERT INTO u VALUES (1001, NULL, 1)');
      // Changing the primary key of a row moves its entries with it.
      engine.exec('UPDATE u SET id = 2000 WHERE id = 12');
      expect(engine.query("SELECT id FROM u WHERE email = 'e12'")).toEqual([{ id: 2000 }]);
      expect(engine.query("SELECT id FROM u WHERE team = 0 AND email = 'e12'")).toEqual([{ id: 2000 }]);
      expect(code(() => engine.exec("INSERT INTO u VALUES (2001, 'e12', 5)"))).toBe('CONSTRAINT');
      engine.exec('DELETE FROM u WHERE id = 2000');
      engine.exec("INSERT INTO u VALUES (2001, 'e12', 5)");
      expect(engine.query("SELECT id FROM u WHERE email = 'e12'")).toEqual([{ id: 2001 }]);
      engine.exec("INSERT INTO u VALUES (3000, 'new', 1) ON CONFLICT (email) DO UPDATE SET team = 9");
      engine.exec("INSERT INTO u VALUES (3001, 'new', 1) ON CONFLICT (email) DO UPDATE SET team = 9");
      expect(engine.query("SELECT id, team FROM u WHERE email = 'new'")).toEqual([{ id: 3000, team: 9 }]);
      expect(code(() => engine.exec('CREATE UNIQUE INDEX u_team ON u (team)'))).toBe('CONSTRAINT');
    };
    // A copy of the store rewritten to the older layout: pk at the end of
    // every entry key, empty values, and index records without valueKeyed.
    const legacy = new ModelKvStore();
    const decoder = new TextDecoder();
    store.scanRaw({}, (key, buffer, offset, length) => {
      const value = buffer.slice(offset, offset + length);
      legacy.transactionSync((tx) => {
        if (key.startsWith('\x01q\x11') && value.length > 0) {
          tx.putRaw(key + Buffer.from(value).toString('latin1'), new Uint8Array(0));
        } else if (key.startsWith('\x01q\x03')) {
          const body = JSON.parse(decoder.decode(value.subarray(5))) as Record<string, unknown>;
          expect(body['valueKeyed']).toBe(true);
          delete body['valueKeyed'];
          tx.putRaw(key, new Uint8Array([...value.subarray(0, 5), ...new TextEncoder().encode(JSON.stringify(body))]));
        } else {
          tx.putRaw(key, value);
        }
      });
    });
    check(db);
    check(createSqlEngine(legacy, { columnarRowsMin: 0 }));
    let legacyValues = 0;
    legacy.scanRaw({ start: '\x01q\x11', end: '\x01q\x12' }, (_key, _buffer, _offset, length) => {
      if (length > 0) legacyValues++;
    });
    expect(legacyValues).toBe(0);
  });

  it('refuses a damaged catalog with CORRUPTION', () => {
    const { store, db } = fresh();
    db.exec('CREATE TABLE t (x INTEGER)');
    let tableKey: RawKey | undefined;
    store.scanRaw({ start: '\x01q\x02', end: '\x01q\x03' }, (key) => {
      tableKey = key;
    });
    expect(tableKey).toBeDefined();
    store.transactionSync((tx) => tx.putRaw(tableKey as RawKey, new TextEncoder().encode('FQTB\x01{"id":1,"__proto__":{"x":1}}')));
    expect(code(() => createSqlEngine(store))).toBe('CORRUPTION');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    store.transactionSync((tx) => tx.putRaw(tableKey as RawKey, new Uint8Array([1, 2, 3])));
    expect(code(() => createSqlEngine(store))).toBe('CORRUPTION');
  });
});

describe('transactions', () => {
  it('transaction(fn) commits on return, rolls back on throw, and nests by joining', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const many = db.transaction((ids: number[]) => {
      expect(db.inTransaction).toBe(true);
      for (const id of ids) insert.run(id);
      return ids.length;
    });
    expect(many([1, 2, 3])).toBe(3);
    expect(db.inTransaction).toBe(false);
    const outer = db.transaction(() => {
      many([4]);
      insert.run(1);
    });
    expect(code(() => outer())).toBe('CONSTRAINT');
    expect(db.query('SELECT id FROM t ORDER BY id').map((r) => r['id'])).toEqual([1, 2, 3]);
    const promising = db.transaction(async () => undefined);
    expect(code(() => promising())).toBe('INVALID_ARGUMENT');
    expect(code(() => db.transaction(() => db.exec('BEGIN'))())).toBe('CONFLICT');
  });

  it('reads inside BEGIN see the transaction; writes elsewhere conflict with an open store transaction', () => {
    const { store, db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)');
    db.exec('BEGIN');
    db.exec('INSERT INTO t VALUES (1, 10)');
    expect(db.inTransaction).toBe(true);
    expect(db.query('SELECT v FROM t')).toEqual([{ v: 10 }]);
    expect(createSqlEngine(store).query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
    db.exec('COMMIT');
    const tx = store.begin();
    expect(code(() => db.exec('INSERT INTO t VALUES (2, 20)'))).toBe('CONFLICT');
    tx.rollback();
    db.exec('INSERT INTO t VALUES (2, 20)');
    expect(db.query('SELECT sum(v) AS s FROM t')).toEqual([{ s: 30 }]);
  });

  it('the columnar cache never serves stale rows', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, g TEXT, v REAL)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(i, `g${i % 3}`, i / 2);
    })();
    const sum = db.prepare('SELECT g, sum(v) AS s, count(*) AS n FROM t WHERE v >= 10 GROUP BY g ORDER BY g');
    const expected = sum.all();
    // The second and later full scans read the columnar cache.
    expect(sum.all()).toEqual(expected);
    expect(sum.all()).toEqual(expected);
    db.exec('UPDATE t SET v = v + 1 WHERE id = 2999');
    const after = sum.all();
    expect(after).not.toEqual(expected);
    expect(after).toEqual(sum.all());
    // Inside a transaction that wrote the table, reads see its writes.
    db.exec('BEGIN');
    db.exec("INSERT INTO t VALUES (5000, 'g9', 100)");
    expect(sum.all().map((r) => r['g'])).toEqual(['g0', 'g1', 'g2', 'g9']);
    db.exec('ROLLBACK');
    expect(sum.all()).toEqual(after);
    // Deletes too.
    db.exec("DELETE FROM t WHERE g = 'g0'");
    expect(sum.all().map((r) => r['g'])).toEqual(['g1', 'g2']);
  });
});

describe('statements', () => {
  it('has better-sqlite3 methods: all, get, run, iterate, raw, columns, reader', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BOOLEAN, x BLOB)');
    const insert = db.prepare('INSERT INTO t (b, x) VALUES (?, ?)');
    expect(insert.reader).toBe(false);
    expect(insert.run(true, Buffer.from('hi'))).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(insert.run([false, new Uint8Array([1])])).toEqual({ changes: 1, lastInsertRowid: 2 });
    const select = db.prepare('SELECT id, b, x, b AND 1 AS both FROM t ORDER BY id');
    expect(select.reader).toBe(true);
    expect(select.columns()).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'b', type: 'BOOLEAN' },
      { name: 'x', type: 'BLOB' },
      { name: 'both', type: 'INTEGER' },
    ]);
    expect(select.get()).toEqual({ id: 1, b: true, x: new Uint8Array([104, 105]), both: 1 });
    expect(select.raw().all()).toEqual([
      [1, true, new Uint8Array([104, 105]), 1],
      [2, false, new Uint8Array([1]), 0],
    ]);
    const iterator = select.raw(false).iterate();
    expect(iterator.next().value).toMatchObject({ id: 1 });
    expect(code(() => select.all())).toBe('CONFLICT');
    iterator.return?.();
    expect(select.all()).toHaveLength(2);
    expect([...select.iterate()]).toHaveLength(2);
    expect(code(() => db.prepare('SELECT 1; SELECT 2'))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.prepare(''))).toBe('INVALID_ARGUMENT');
    expect(code(() => insert.all())).toBe('INVALID_ARGUMENT');
  });

  it('re-plans a prepared statement after the schema changes', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 5)');
    const st = db.prepare('SELECT * FROM t');
    expect(st.all()).toEqual([{ id: 1, v: 5 }]);
    db.exec('DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, w TEXT, v INTEGER)');
    db.exec("INSERT INTO t VALUES (2, 'x', 7)");
    expect(st.all()).toEqual([{ id: 2, w: 'x', v: 7 }]);
    db.exec('DROP TABLE t');
    expect(code(() => st.all())).toBe('UNKNOWN_TABLE');
  });

  it('binds parameters as better-sqlite3 does, own properties only', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE e (id INTEGER PRIMARY KEY, d DATE, at TIMESTAMP)');
    db.prepare('INSERT INTO e VALUES (?, ?, ?)').run(1n, new Date('2024-03-04T00:00:00Z'), new Date('2024-03-04T05:06:07.008Z'));
    expect(db.query('SELECT * FROM e')).toEqual([{ id: 1, d: '2024-03-04', at: '2024-03-04T05:06:07.008Z' }]);
    expect(db.query('SELECT id FROM e WHERE d = :d', { d: new Date('2024-03-04T00:00:00Z') })).toEqual([{ id: 1 }]);
    const inherited = Object.create({ d: '2024-03-04' }) as Record<string, unknown>;
    expect(code(() => db.query('SELECT id FROM e WHERE d = :d', inherited))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.query('SELECT ?', [undefined]))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.query('SELECT ?', [{}]))).toBe('TYPE');
    expect(code(() => db.query('SELECT ?', [2n ** 60n]))).toBe('TYPE');
    expect(db.query('SELECT ? AS x', [Number.NaN])).toEqual([{ x: null }]);
  });

  it('never pollutes prototypes through names, aliases, parameters or values', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE "__proto__" ("__proto__" TEXT, constructor TEXT, prototype INTEGER)');
    db.prepare('INSERT INTO "__proto__" VALUES (?, ?, ?)').run('{"polluted":1}', '__proto__', 1);
    const rows = db.query('SELECT "__proto__", constructor, prototype, "__proto__" AS toString FROM "__proto__"');
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('{"polluted":1}');
    expect(Object.keys(row)).toEqual(['__proto__', 'constructor', 'prototype', 'toString']);
    expect(db.query('SELECT $__proto__ AS v', JSON.parse('{"__proto__": 7}') as Record<string, unknown>)).toEqual([{ v: 7 }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>)['constructor']).toBe(Object);
  });
});

describe('virtual tables', () => {
  it('are read-only tables backed by a scan function', () => {
    const { db } = fresh();
    let reads = 0;
    db.registerVirtualTable('jobs', {
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'state', type: 'TEXT' },
        { name: 'due', type: 'TIMESTAMP' },
        { name: 'urgent', type: 'BOOLEAN' },
      ],
      *scan() {
        reads++;
        yield [1, 'queued', 0, false];
        yield [2, 'running', new Date('2024-01-01T00:00:00Z'), true];
        yield [3, 'queued', null, false];
      },
    });
    db.exec("CREATE TABLE owner (job INTEGER PRIMARY KEY, who TEXT); INSERT INTO owner VALUES (1, 'ann'), (2, 'bob')");
    expect(db.query("SELECT j.id, o.who, j.urgent FROM jobs j LEFT JOIN owner o ON o.job = j.id WHERE j.state = 'queued' ORDER BY j.id")).toEqual([
      { id: 1, who: 'ann', urgent: false },
      { id: 3, who: null, urgent: false },
    ]);
    expect(db.query('SELECT due FROM jobs WHERE id = 2')).toEqual([{ due: '2024-01-01T00:00:00.000Z' }]);
    expect(reads).toBe(2);
    expect(code(() => db.exec('INSERT INTO jobs VALUES (4, 1, 1, 1)'))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.exec('CREATE TABLE jobs (x INTEGER)'))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.registerVirtualTable('owner', { columns: [{ name: 'x', type: 'INTEGER' }], scan: () => [] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => db.registerVirtualTable('bad', { columns: [{ name: 'x', type: 'NUMBER' as never }], scan: () => [] }))).toBe('INVALID_ARGUMENT');
  });
});

describe('limits, at the limit and one past it', () => {
  it('row size: rowBytesMax', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, s TEXT)');
    // Header: version 1 + null bitmap 1 + one 8-byte slot + one 4-byte end offset.
    const header = 1 + 1 + 8 + 4;
    const insert = db.prepare('INSERT INTO big VALUES (?, ?)');
    insert.run(1, 'x'.repeat(rowBytesMax - header));
    expect(db.query('SELECT length(s) AS n FROM big')).toEqual([{ n: rowBytesMax - header }]);
    expect(code(() => insert.run(2, 'x'.repeat(rowBytesMax - header + 1)))).toBe('LIMIT');
  });

  it('key size: the KV store key limit', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE k (id TEXT PRIMARY KEY)');
    // prefix 2 + space 1 + table id 4 + tag 1 + text + terminator 2
    const room = sqlKeyBytesMax - (2 + 1 + 4 + 1 + 2);
    db.prepare('INSERT INTO k VALUES (?)').run('a'.repeat(room));
    expect(code(() => db.prepare('INSERT INTO k VALUES (?)').run('b'.repeat(room + 1)))).toBe('LIMIT');
    expect(db.query('SELECT count(*) AS n FROM k')).toEqual([{ n: 1 }]);
  });

  it('tables per FROM: joinSourcesMax', () => {
    const { db } = fresh();
    db.exec('CREATE TABLE one (x INTEGER); INSERT INTO one VALUES (1)');
    const join = (n: number) => `SELECT count(*) AS n FROM ${Array.from({ length: n }, (_, i) => `one t${i}`).join(', ')}`;
    expect(db.query(join(joinSourcesMax))).toEqual([{ n: 1 }]);
    expect(code(() => db.query(join(joinSourcesMax + 1)))).toBe('LIMIT');
  });

  it('columns per index: indexColumnsMax', () => {
    const { db } = fresh();
    const cols = Array.from({ length: indexColumnsMax + 1 }, (_, i) => `c${i} INTEGER`).join(', ');
    db.exec(`CREATE TABLE wide (${cols})`);
    const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(', ');
    db.exec(`CREATE INDEX ok ON wide (${names(indexColumnsMax)})`);
    expect(code(() => db.exec(`CREATE INDEX no ON wide (${names(indexColumnsMax + 1)})`))).toBe('LIMIT');
  });

  it('LIKE pattern length: likePatternLengthMax', () => {
    const { db } = fresh();
    expect(db.query('SELECT ? LIKE ? AS m', ['a', '%'.repeat(likePatternLengthMax)])).toEqual([{ m: 1 }]);
    expect(code(() => db.query('SELECT ? LIKE ? AS m', ['a', '%'.repeat(likePatternLengthMax + 1)]))).toBe('LIMIT');
  });

  it('expression depth: parseDepthMax nests bind, compile and run without a stack overflow', () => {
    const { db } = fresh();
    // A query is one level; each NOT and each parenthesised level adds one.
    const nots = (n: number) => `SELECT ${'NOT '.repeat(n)}1 AS v`;
    const plus = (n: number) => `SELECT ${'('.repeat(n)}1${' + 1)'.repeat(n)} AS v`;
    let depthOk = parseDepthMax - 3;
    expect(db.query(nots(depthOk))).toEqual([{ v: depthOk % 2 === 0 ? 1 : 0 }]);
    depthOk = Math.floor((parseDepthMax - 3) / 2);
    expect(db.query(plus(depthOk))).toEqual([{ v: depthOk + 1 }]);
    expect(code(() => db.query(nots(parseDepthMax + 1)))).toBe('LIMIT');
    expect(code(() => db.query(nots(100_000)))).toBe('LIMIT');
  });
});
