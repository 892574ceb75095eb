/**
 * Key heads: an order-preserving number summarising a key, so that most of
 * a node's binary search compares doubles in one contiguous array instead
 * of dereferencing a key string per probe (each probe of a string is a
 * likely cache miss; a node's heads sit in a few cache lines). This is the
 * "poor man's normalized key" of Graefe and Larson, "B-tree indexes and CPU
 * caches" (ICDE 2001), with the prefix truncation of Bayer and Unterauer.
 *
 * The head of `key` at offset `prefix` is the big-endian number formed by the
 * `headChars` chars `key[prefix .. prefix + headChars)`, one byte each, where
 * positions past the end of the key count as 0. It is monotone: for keys
 * `a <= b` (JS string order) that share their first `prefix` chars,
 * `keyHead(a, prefix) <= keyHead(b, prefix)`. Equal heads say nothing, so
 * searches break ties with `<` and `===` on the keys themselves; the order of
 * the tree is exactly JS string order.
 *
 * Raw keys are binary strings (every char code 0..255). So that any JS string
 * still orders correctly, a char above 255 saturates the head: it and every
 * later position count as 255, which keeps the head monotone (such keys then
 * tie and are compared as strings).
 *
 * Nodes compute heads after the prefix that all keys they may hold share
 * (see `node.ts`), so that keys with a long common prefix (a table id, a
 * tenant) still differ in their heads.
 */

/** Chars (bytes) summarised by a head: 6 bytes = 48 bits, exact in a double. */
export const headChars = 6;

/** The head of `key` after its first `prefix` chars (see the file comment). */
export function keyHead(key: string, prefix: number): number {
  const length = key.length;
  const end = prefix + headChars;
  let head = 0;
  for (let i = prefix; i < end; i++) {
    const c = i < length ? key.charCodeAt(i) : 0;
    if (c > 255) {
      for (; i < end; i++) head = head * 256 + 255;
      return head;
    }
    head = head * 256 + c;
  }
  return head;
}

/** Length of the longest common prefix of `a` and `b`, in chars. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
