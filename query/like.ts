/**
 * `LIKE` as SQLite implements it: `%` matches any sequence of characters,
 * `_` exactly one character (code point), an optional ESCAPE character
 * makes the next pattern character literal, and letters compare
 * case-insensitively for ASCII only (`'a' LIKE 'A'` is true, `'ä' LIKE 'Ä'`
 * is false).
 *
 * A pattern compiles once to an anchored regular expression in which every
 * ASCII letter is a two-letter class, so matching needs no per-row case
 * conversion of the operand.
 */
import { FairdbError } from '../storage/device/index.js';

/** Longest LIKE pattern, in UTF-16 code units (SQLite's default is 50,000 bytes). */
export const likePatternLengthMax = 50_000;

export type LikeMatcher = (text: string) => boolean;

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * Compiles a LIKE pattern. `escape` is the ESCAPE character or undefined.
 * Throws `TYPE` for an ESCAPE that is not a single character and `LIMIT`
 * for an over-long pattern.
 */
export function compileLike(pattern: string, escape: string | undefined): LikeMatcher {
  if (pattern.length > likePatternLengthMax) {
    throw new FairdbError('LIMIT', `LIKE pattern length is ${pattern.length}, over the limit of ${likePatternLengthMax}`);
  }
  if (escape !== undefined && [...escape].length !== 1) {
    throw new FairdbError('TYPE', 'ESCAPE expression must be a single character');
  }
  let source = '^';
  let plain = true;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (escape !== undefined && ch === escape) {
      // An escape at the very end matches nothing (SQLite returns false).
      const next = chars[i + 1];
      if (next === undefined) return () => false;
      source += literal(next);
      i++;
      continue;
    }
    if (ch === '%') {
      plain = false;
      // Collapse runs of % into one.
      if (!source.endsWith('[^]*')) source += '[^]*';
    } else if (ch === '_') {
      plain = false;
      source += '.';
    } else {
      source += literal(ch);
    }
  }
  source += '$';
  if (plain && escape === undefined && !/[A-Za-z]/.test(pattern)) {
    // No wildcard and no letter: LIKE is equality.
    return (text) => text === pattern;
  }
  const re = new RegExp(source, 'su');
  return (text) => re.test(text);
}

function literal(ch: string): string {
  const code = ch.charCodeAt(0);
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
    return `[${ch.toUpperCase()}${ch.toLowerCase()}]`;
  }
  return escapeRegExp(ch);
}
