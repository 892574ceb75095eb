/**
 * The word lists and weighted distributions of TPC-H v3 clause 4.2.2.13
 * (the same lists and weights as the reference generator's `dists.dss`), and
 * the fixed NATION and REGION rows of clause 4.2.3.
 *
 * A weighted list is expanded once into a lookup table with one slot per
 * unit of weight, so that a pick is one random integer and one array read.
 */
import type { Random } from '../../storage/device/index.js';

/** A list of words (or forms) with integer weights; `pick` draws one with probability weight / total. */
export class WeightedList<T = string> {
  readonly words: readonly T[];
  private readonly slots: Uint16Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.words = entries.map(([word]) => word);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    this.slots = new Uint16Array(total);
    let at = 0;
    entries.forEach(([, weight], index) => {
      this.slots.fill(index, at, at + weight);
      at += weight;
    });
  }

  /** Index into `words` of a weighted random pick. */
  pickIndex(random: Random): number {
    return this.slots[random.int(0, this.slots.length - 1)] as number;
  }

  pick(random: Random): T {
    return this.words[this.pickIndex(random)] as T;
  }
}

/** Uniform list (all weights 1). */
function uniform(words: readonly string[]): readonly string[] {
  return Object.freeze(words.slice());
}

/** Clause 4.2.3, P_NAME: five distinct words of this list. */
export const colors = uniform([
  'almond', 'antique', 'aquamarine', 'azure', 'beige', 'bisque', 'black', 'blanched', 'blue', 'blush',
  'brown', 'burlywood', 'burnished', 'chartreuse', 'chiffon', 'chocolate', 'coral', 'cornflower', 'cornsilk',
  'cream', 'cyan', 'dark', 'deep', 'dim', 'dodger', 'drab', 'firebrick', 'floral', 'forest', 'frosted',
  'gainsboro', 'ghost', 'goldenrod', 'green', 'grey', 'honeydew', 'hot', 'indian', 'ivory', 'khaki', 'lace',
  'lavender', 'lawn', 'lemon', 'light', 'lime', 'linen', 'magenta', 'maroon', 'medium', 'metallic',
  'midnight', 'mint', 'misty', 'moccasin', 'navajo', 'navy', 'olive', 'orange', 'orchid', 'pale', 'papaya',
  'peach', 'peru', 'pink', 'plum', 'powder', 'puff', 'purple', 'red', 'rose', 'rosy', 'royal', 'saddle',
  'salmon', 'sandy', 'seashell', 'sienna', 'sky', 'slate', 'smoke', 'snow', 'spring', 'steel', 'tan',
  'thistle', 'tomato', 'turquoise', 'violet', 'wheat', 'white', 'yellow',
]);

/** Clause 4.2.2.13, P_TYPE syllables: a type is one word of each, 6 x 5 x 5 = 150 types. */
export const typeSyllable1 = uniform(['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO']);
export const typeSyllable2 = uniform(['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED']);
export const typeSyllable3 = uniform(['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER']);

/** Clause 4.2.2.13, P_CONTAINER syllables: 5 x 8 = 40 containers. */
export const containerSyllable1 = uniform(['SM', 'LG', 'MED', 'JUMBO', 'WRAP']);
export const containerSyllable2 = uniform(['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM']);

/** Clause 4.2.2.13, C_MKTSEGMENT. */
export const segments = uniform(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD']);
/** Clause 4.2.2.13, O_ORDERPRIORITY. */
export const priorities = uniform(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']);
/** Clause 4.2.2.13, L_SHIPINSTRUCT. */
export const instructions = uniform(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']);
/** Clause 4.2.2.13, L_SHIPMODE. */
export const shipModes = uniform(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']);

/** Clause 4.2.3, REGION: R_REGIONKEY is the index. */
export const regions = uniform(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST']);

/** Clause 4.2.3, NATION: N_NATIONKEY is the index; the number is N_REGIONKEY. */
export const nations: readonly (readonly [string, number])[] = Object.freeze([
  ['ALGERIA', 0], ['ARGENTINA', 1], ['BRAZIL', 1], ['CANADA', 1], ['EGYPT', 4],
  ['ETHIOPIA', 0], ['FRANCE', 3], ['GERMANY', 3], ['INDIA', 2], ['INDONESIA', 2],
  ['IRAN', 4], ['IRAQ', 4], ['JAPAN', 2], ['JORDAN', 4], ['KENYA', 0],
  ['MOROCCO', 0], ['MOZAMBIQUE', 0], ['PERU', 1], ['CHINA', 2], ['ROMANIA', 3],
  ['SAUDI ARABIA', 4], ['VIETNAM', 2], ['RUSSIA', 3], ['UNITED KINGDOM', 3], ['UNITED STATES', 1],
] as const);

// Clause 4.2.2.13: the pseudo-text vocabulary, with the weights of the
// reference generator's distributions.

export const nouns = new WeightedList([
  ['packages', 40], ['requests', 40], ['accounts', 40], ['deposits', 40], ['foxes', 20], ['ideas', 20],
  ['theodolites', 20], ['pinto beans', 20], ['instructions', 20], ['dependencies', 10], ['excuses', 10],
  ['platelets', 10], ['asymptotes', 10], ['courts', 5], ['dolphins', 5], ['multipliers', 1], ['sauternes', 1],
  ['warthogs', 1], ['frets', 1], ['dinos', 1], ['attainments', 1], ['somas', 1], ['Tiresias', 1],
  ['patterns', 1], ['forges', 1], ['braids', 1], ['frays', 1], ['warhorses', 1], ['dugouts', 1],
  ['notornis', 1], ['epitaphs', 1], ['pearls', 1], ['tithes', 1], ['waters', 1], ['orbits', 1], ['gifts', 1],
  ['sheaves', 1], ['depths', 1], ['sentiments', 1], ['decoys', 1], ['realms', 1], ['pains', 1],
  ['grouches', 1], ['escapades', 1], ['hockey players', 1],
]);

export const verbs = new WeightedList([
  ['sleep', 20], ['wake', 20], ['are', 20], ['cajole', 20], ['haggle', 20], ['nag', 10], ['use', 10],
  ['boost', 10], ['affix', 5], ['detect', 5], ['integrate', 5], ['maintain', 1], ['nod', 1], ['was', 1],
  ['lose', 1], ['sublate', 1], ['solve', 1], ['thrash', 1], ['promise', 1], ['engage', 1], ['hinder', 1],
  ['print', 1], ['x-ray', 1], ['breach', 1], ['eat', 1], ['grow', 1], ['impress', 1], ['mold', 1],
  ['poach', 1], ['serve', 1], ['run', 1], ['dazzle', 1], ['snooze', 1], ['doze', 1], ['unwind', 1],
  ['kindle', 1], ['play', 1], ['hang', 1], ['believe', 1], ['doubt', 1],
]);

export const adjectives = new WeightedList([
  ['special', 20], ['pending', 20], ['unusual', 20], ['express', 20], ['furious', 1], ['sly', 1],
  ['careful', 1], ['blithe', 1], ['quick', 1], ['fluffy', 1], ['slow', 1], ['quiet', 1], ['ruthless', 1],
  ['thin', 1], ['close', 1], ['dogged', 1], ['daring', 1], ['brave', 1], ['stealthy', 1], ['permanent', 1],
  ['enticing', 1], ['idle', 1], ['busy', 1], ['regular', 50], ['final', 40], ['ironic', 40], ['even', 30],
  ['bold', 20], ['silent', 10],
]);

export const adverbs = new WeightedList([
  ['sometimes', 1], ['always', 1], ['never', 1], ['furiously', 50], ['slyly', 50], ['carefully', 50],
  ['blithely', 40], ['quickly', 30], ['fluffily', 20], ['slowly', 1], ['quietly', 1], ['ruthlessly', 1],
  ['thinly', 1], ['closely', 1], ['doggedly', 1], ['daringly', 1], ['bravely', 1], ['stealthily', 1],
  ['permanently', 1], ['enticingly', 1], ['idly', 1], ['busily', 1], ['regularly', 1], ['finally', 1],
  ['ironically', 1], ['evenly', 1], ['boldly', 1], ['silently', 1],
]);

export const prepositions = new WeightedList([
  ['about', 50], ['above', 50], ['according to', 50], ['across', 50], ['after', 50], ['against', 40],
  ['along', 40], ['alongside of', 30], ['among', 30], ['around', 20], ['at', 10], ['atop', 1], ['before', 1],
  ['behind', 1], ['beneath', 1], ['beside', 1], ['besides', 1], ['between', 1], ['beyond', 1], ['by', 1],
  ['despite', 1], ['during', 1], ['except', 1], ['for', 1], ['from', 1], ['in place of', 1], ['inside', 1],
  ['instead of', 1], ['into', 1], ['near', 1], ['of', 1], ['on', 1], ['outside', 1], ['over', 1], ['past', 1],
  ['since', 1], ['through', 1], ['throughout', 1], ['to', 1], ['toward', 1], ['under', 1], ['until', 1],
  ['up', 1], ['upon', 1], ['without', 1], ['with', 1], ['within', 1],
]);

export const auxiliaries = new WeightedList([
  ['do', 1], ['may', 1], ['might', 1], ['shall', 1], ['will', 1], ['would', 1], ['can', 1], ['could', 1],
  ['should', 1], ['ought to', 1], ['must', 1], ['will have to', 1], ['shall have to', 1], ['could have to', 1],
  ['should have to', 1], ['must have to', 1], ['need to', 1], ['try to', 1],
]);

export const terminators = new WeightedList([
  ['.', 50], [';', 1], [':', 1], ['?', 1], ['!', 1], ['--', 1],
]);

/**
 * Clause 4.2.2.14, first level of the grammar: N = noun phrase, V = verb
 * phrase, P = prepositional phrase, T = terminator.
 */
export type SentencePart = 'N' | 'V' | 'P' | 'T';
export const sentenceForms = new WeightedList<readonly SentencePart[]>([
  [['N', 'V', 'T'], 3], [['N', 'V', 'P', 'T'], 3], [['N', 'V', 'N', 'T'], 3], [['N', 'P', 'V', 'N', 'T'], 1], [['N', 'P', 'V', 'P', 'T'], 1],
]);

/** Clause 4.2.2.14, noun phrases: N = noun, J = adjective, D = adverb, ',' = comma after the adjective. */
export type NounPhraseForm = 'N' | 'JN' | 'J,JN' | 'DJN';
export const nounPhraseForms = new WeightedList<NounPhraseForm>([
  ['N', 10], ['JN', 20], ['J,JN', 10], ['DJN', 50],
]);

/** Clause 4.2.2.14, verb phrases: V = verb, X = auxiliary, D = adverb. */
export type VerbPhraseForm = 'V' | 'XV' | 'VD' | 'XVD';
export const verbPhraseForms = new WeightedList<VerbPhraseForm>([
  ['V', 30], ['XV', 1], ['VD', 40], ['XVD', 1],
]);
