/**
 * Where a database lives on the host: a directory holding the device file
 * and the lock file. This is the only place the engine's open path touches
 * the file system directly (devices and the lock do their own I/O).
 *
 *   <path>/fairdb.pmem   the emulated persistent-memory device (device 'pmem')
 *   <path>/fairdb.blk    the block device image (device 'file')
 *   <path>/LOCK          owner of the database (see storage/lock)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, IoError } from '../device/index.js';

export interface DatabaseFiles {
  readonly directory: string;
  readonly pmemFile: string;
  readonly blockFile: string;
  readonly lockFile: string;
}

/** Creates the directory if needed and names the files in it. */
export function databaseFiles(directory: string): DatabaseFiles {
  if (typeof directory !== 'string' || directory.length === 0) throw new InvalidArgumentError('a database path must be a non-empty string');
  if (directory.includes('\0')) throw new InvalidArgumentError('a database path must not contain NUL bytes');
  const resolved = path.resolve(directory);
  try {
    fs.mkdirSync(resolved, { recursive: true });
  } catch (error) {
    throw new IoError(`cannot create the database directory ${resolved}`, error);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch (error) {
    throw new IoError(`cannot read the database directory ${resolved}`, error);
  }
  if (!stat.isDirectory()) throw new InvalidArgumentError(`${resolved} exists and is not a directory`);
  return {
    directory: resolved,
    pmemFile: path.join(resolved, 'fairdb.pmem'),
    blockFile: path.join(resolved, 'fairdb.blk'),
    lockFile: path.join(resolved, 'LOCK'),
  };
}

/** True when a file exists (used to refuse opening one device kind over another's files). */
export function fileExists(file: string): boolean {
  return fs.existsSync(file);
}
