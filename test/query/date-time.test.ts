/**
 * Date and timestamp text parsing: the fast paths for the exact forms
 * `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SS.sssZ` give what the general parser
 * gives. The general parser trims surrounding space and the fast paths do
 * not take text with it, so parsing ` ${text}` is the general parser's answer.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../../storage/device/index.js';
import { formatDate, formatTimestamp, parseDate, parseTimestamp, timestampMsMax, timestampMsMin } from '../../query/date-time.js';

function field(random: Random, width: number, max: number): string {
  // Mostly plausible values, sometimes out of range, sometimes not digits.
  if (random.chance(0.02)) return 'x'.padStart(width, '1');
  return String(random.int(0, max)).padStart(width, '0');
}

function randomIso(random: Random): string {
  const year = random.chance(0.05) ? random.pick(['0000', '9999', '1970', '1969', '2000', '1900']) : field(random, 4, 9999);
  const month = field(random, 2, random.chance(0.9) ? 12 : 99);
  const day = field(random, 2, random.chance(0.9) ? 31 : 99);
  if (random.chance(0.3)) return `${year}-${month}-${day}`;
  const hour = field(random, 2, random.chance(0.9) ? 23 : 99);
  const minute = field(random, 2, random.chance(0.9) ? 59 : 99);
  const second = field(random, 2, random.chance(0.9) ? 59 : 99);
  const milli = field(random, 3, 999);
  const t = random.chance(0.9) ? 'T' : random.pick([' ', 't']);
  const z = random.chance(0.9) ? 'Z' : random.pick(['z', '+01:00', '']);
  return `${year}-${month}-${day}${t}${hour}:${minute}:${second}.${milli}${z}`;
}

describe('date and timestamp parsing', () => {
  it('the exact-form fast paths agree with the general parser', () => {
    const seed = 20_261_123;
    const random = seededRandom(seed);
    for (let i = 0; i < 20_000; i++) {
      const text = randomIso(random);
      expect(parseTimestamp(text), `seed ${seed}: timestamp ${text}`).toBe(parseTimestamp(` ${text}`));
      expect(parseDate(text), `seed ${seed}: date ${text}`).toBe(parseDate(` ${text}`));
    }
  });

  it('reads back what it writes, at the ends of the range', () => {
    for (const ms of [timestampMsMin, timestampMsMax, 0, -1, 951_782_400_000, 1_709_164_799_999]) {
      expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
      const days = Math.floor(ms / 86_400_000);
      expect(parseDate(formatDate(days))).toBe(days);
    }
    expect(parseTimestamp('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseTimestamp('2023-02-29T00:00:00.000Z')).toBeUndefined();
    expect(parseTimestamp('2024-01-01T24:00:00.000Z')).toBeUndefined();
    expect(parseDate('2024-13-01')).toBeUndefined();
    expect(parseDate('2024-1x-01')).toBeUndefined();
  });
});
