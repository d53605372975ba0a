/**
 * From a message to the words the matcher compares (pure, linear in the input).
 *
 * - The message is cut at MAX_MESSAGE_CHARS first: a reply is a sentence or two, and a
 *   pasted novel must cost no more than one.
 * - Case and accents are folded (NFKD, combining marks dropped, Unicode TR15 §1.2), so a
 *   user who types "ou est mon colis" finds "Où est mon colis ?"; ligatures that NFKD
 *   keeps (œ, æ, ß) are spelled out.
 * - A word is a run of letters and digits (Unicode `L` and `N`), apostrophes inside it
 *   included. An apostrophe then splits it by language rule: French elision drops the
 *   clitic before it (l'adresse → adresse, qu'il → il), English contractions drop the
 *   clitic after it (parcel's → parcel, don't → don), and anything else is one word
 *   (aujourd'hui → aujourdhui).
 * - Hyphens, punctuation, emoji and symbols separate words; a word longer than
 *   MAX_WORD_CHARS (a run of CJK text without spaces, a base64 blob) is dropped, and at
 *   most MAX_WORDS words are kept.
 *
 * No regular expression spans the input: one loop over the characters, each tested by a
 * one-character class, so no input backtracks.
 */

export const MAX_MESSAGE_CHARS = 2_000; // characters; longer replies are cut here before any work
export const MAX_WORD_CHARS = 40; // characters; longer runs are not words a phrasing holds
export const MAX_WORDS = 64; // words; a question has far fewer, the rest is not read

const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const MARK = /\p{M}/gu; // one code point a match: linear
const ASCII = /^[\x00-\x7f]*$/; // one class, no alternation: linear
const APOSTROPHES = new Set(["'", '\u2019', '\u02bc']); // ASCII, right single quotation mark, modifier letter apostrophe
const LIGATURES: Record<string, string> = { 'œ': 'oe', 'æ': 'ae', 'ß': 'ss', 'ø': 'o', 'ł': 'l', 'đ': 'd' };

/** French clitics elided before a vowel (Grevisse, Le Bon Usage §44): l'adresse, qu'il, jusqu'à. */
const FRENCH_ELISIONS = new Set(['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'jusqu', 'lorsqu', 'puisqu', 'quoiqu']);
/** English clitics after the apostrophe: parcel's, don't, you're, we'll, I've, I'd, I'm. */
const ENGLISH_CLITICS = new Set(['s', 't', 're', 'll', 've', 'd', 'm']);

/** Lower case, accents and ligatures folded: "Œuvre à L'École" → "oeuvre a l'ecole". */
export function fold(text: string): string {
  const lower = text.toLowerCase();
  if (ASCII.test(lower)) return lower; // most phrasings and replies: nothing to fold
  let out = '';
  for (const ch of lower.normalize('NFKD').replace(MARK, '')) out += LIGATURES[ch] ?? ch;
  return out;
}

/** A letter or digit: ASCII by its code, the rest by its Unicode class. */
function isWordChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  return WORD_CHAR.test(ch);
}

function splitApostrophes(word: string): string {
  let parts: string[] = [];
  let cur = '';
  for (const ch of word) {
    if (APOSTROPHES.has(ch)) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  parts = parts.filter((p) => p !== '');
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2 && FRENCH_ELISIONS.has(parts[0]!)) return parts[1]!;
  if (parts.length === 2 && ENGLISH_CLITICS.has(parts[1]!)) return parts[0]!;
  return parts.join('');
}

/**
 * The message's words, folded, in order.
 *
 *   words("L'adresse de livraison, aujourd'hui ?") // ['adresse', 'de', 'livraison', 'aujourdhui']
 */
export function words(message: string): string[] {
  const text = fold(message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) : message);
  const out: string[] = [];
  let cur = '';
  let length = 0; // code points in cur, apostrophes included
  const flush = (): void => {
    if (cur !== '' && length <= MAX_WORD_CHARS && out.length < MAX_WORDS) {
      const w = splitApostrophes(cur);
      if (w !== '') out.push(w);
    }
    cur = '';
    length = 0;
  };
  for (const ch of text) {
    if (isWordChar(ch) || (APOSTROPHES.has(ch) && cur !== '')) {
      cur += ch;
      length += 1;
    } else flush();
    if (out.length >= MAX_WORDS) break;
  }
  flush();
  return out;
}
