/**
 * Pseudo-text for the comment columns (TPC-H v3 clauses 4.2.2.10 and
 * 4.2.2.14).
 *
 * The specification builds one large string from a small English-like
 * grammar and takes every "text string [min, max]" as a substring of it, of
 * a random length in [min, max] at a random offset. So does this generator,
 * with a smaller pool than the specification's 300 MB (`textPoolCharsDefault`):
 * a comment is at most 198 characters, so a pool of a few MiB already gives
 * every comment a distinct neighbourhood, and the word frequencies — which
 * decide the selectivity of LIKE patterns such as Q13's
 * '%special%requests%' — are the grammar's either way.
 */
import { assert, unreachable, type Random } from '../../storage/device/index.js';
import {
  adjectives,
  adverbs,
  auxiliaries,
  nounPhraseForms,
  nouns,
  prepositions,
  sentenceForms,
  terminators,
  verbPhraseForms,
  verbs,
} from './distributions.js';

/** Length of the text pool in characters (one byte each: the vocabulary is ASCII). */
export const textPoolCharsDefault = 4 * 1024 * 1024;
/** The longest comment of the schema (PS_COMMENT, clause 4.2.3); the pool must be longer. */
export const commentCharsMax = 198;

/** A string of grammar-generated sentences and the rule that cuts comments out of it. */
export class TextPool {
  readonly text: string;

  constructor(random: Random, chars: number = textPoolCharsDefault) {
    assert(Number.isSafeInteger(chars) && chars > commentCharsMax, 'the text pool must be longer than the longest comment');
    // Sentences are collected in chunks and joined, which keeps the build
    // linear without one giant string concatenation per word.
    const chunks: string[] = [];
    const words: string[] = [];
    let length = 0;
    while (length < chars) {
      words.length = 0;
      sentence(random, words);
      const s = words.join(' ');
      chunks.push(s);
      length += s.length + 1;
    }
    this.text = chunks.join(' ').slice(0, chars);
  }

  /** Clause 4.2.2.10: "text string [min, max]" — a substring of random length at a random offset. */
  comment(random: Random, min: number, max: number): string {
    const length = random.int(min, max);
    const offset = random.int(0, this.text.length - length);
    return this.text.substring(offset, offset + length);
  }
}

/** Clause 4.2.2.14: sentence := noun phrase, verb phrase, ... terminator. */
function sentence(random: Random, out: string[]): void {
  for (const part of sentenceForms.pick(random)) {
    switch (part) {
      case 'N':
        nounPhrase(random, out);
        break;
      case 'V':
        verbPhrase(random, out);
        break;
      case 'P':
        out.push(prepositions.pick(random), 'the');
        nounPhrase(random, out);
        break;
      case 'T':
        // The terminator is attached to the last word, as in the grammar's output.
        out[out.length - 1] += terminators.pick(random);
        break;
      default:
        unreachable(part, 'sentence part');
    }
  }
}

function nounPhrase(random: Random, out: string[]): void {
  const form = nounPhraseForms.pick(random);
  switch (form) {
    case 'N':
      out.push(nouns.pick(random));
      break;
    case 'JN':
      out.push(adjectives.pick(random), nouns.pick(random));
      break;
    case 'J,JN':
      out.push(`${adjectives.pick(random)},`, adjectives.pick(random), nouns.pick(random));
      break;
    case 'DJN':
      out.push(adverbs.pick(random), adjectives.pick(random), nouns.pick(random));
      break;
    default:
      unreachable(form, 'noun phrase form');
  }
}

function verbPhrase(random: Random, out: string[]): void {
  const form = verbPhraseForms.pick(random);
  switch (form) {
    case 'V':
      out.push(verbs.pick(random));
      break;
    case 'XV':
      out.push(auxiliaries.pick(random), verbs.pick(random));
      break;
    case 'VD':
      out.push(verbs.pick(random), adverbs.pick(random));
      break;
    case 'XVD':
      out.push(auxiliaries.pick(random), verbs.pick(random), adverbs.pick(random));
      break;
    default:
      unreachable(form, 'verb phrase form');
  }
}
