/**
 * A light English stemmer: step 1 of Porter's algorithm (M. F. Porter, "An algorithm for
 * suffix stripping", Program 14(3), 1980, pp. 130–137; https://tartarus.org/martin/PorterStemmer/def.txt),
 * which takes off plurals, -ed and -ing and turns a final y into i, and nothing more.
 * Steps 2 to 5 (derivational suffixes: -ational, -ness, -ment) merge words an FAQ keeps
 * apart ("general" / "generate") for little gain on sentences this short.
 *
 *   stemEnglish('parcels') // 'parcel'     stemEnglish('delivered') // 'deliver'
 *   stemEnglish('hopping') // 'hop'        stemEnglish('happy')     // 'happi'
 *
 * Input is folded (lower case, no accents), as words() gives it.
 */

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Porter §2: a consonant is a letter other than a, e, i, o, u, and other than y after a consonant. */
function isConsonant(w: string, i: number): boolean {
  const c = w[i]!;
  if (VOWELS.has(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(w, i - 1);
  return true;
}

/** Porter's m: the number of VC sequences in [C](VC)^m[V]. */
function measure(stem: string): number {
  let m = 0;
  let i = 0;
  const n = stem.length;
  while (i < n && isConsonant(stem, i)) i++;
  while (i < n) {
    while (i < n && !isConsonant(stem, i)) i++;
    if (i >= n) break;
    while (i < n && isConsonant(stem, i)) i++;
    m++;
  }
  return m;
}

const hasVowel = (stem: string): boolean => [...stem].some((_, i) => !isConsonant(stem, i));
const endsDoubleConsonant = (w: string): boolean => w.length >= 2 && w[w.length - 1] === w[w.length - 2] && isConsonant(w, w.length - 1);
/** Porter's *o: the stem ends cvc, the second c not w, x or y (hop, not hoop). */
function endsCvc(w: string): boolean {
  const n = w.length;
  if (n < 3) return false;
  if (!isConsonant(w, n - 1) || isConsonant(w, n - 2) || !isConsonant(w, n - 3)) return false;
  return !['w', 'x', 'y'].includes(w[n - 1]!);
}

function step1a(w: string): string {
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ies')) return w.slice(0, -2);
  if (w.endsWith('ss')) return w;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

function step1b(w: string): string {
  if (w.endsWith('eed')) return measure(w.slice(0, -3)) > 0 ? w.slice(0, -1) : w;
  let stem: string | undefined;
  if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) stem = w.slice(0, -2);
  else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) stem = w.slice(0, -3);
  if (stem === undefined) return w;
  // Porter step 1b, second part: conflate -at / -bl / -iz, undo doubled consonants, restore e.
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (endsDoubleConsonant(stem) && !['l', 's', 'z'].includes(stem[stem.length - 1]!)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsCvc(stem)) return stem + 'e';
  return stem;
}

function step1c(w: string): string {
  return w.endsWith('y') && hasVowel(w.slice(0, -1)) ? w.slice(0, -1) + 'i' : w;
}

/** Porter step 1 (1a, 1b, 1c); words of one or two letters are left as they are (Porter §4). */
export function stemEnglish(word: string): string {
  if (word.length <= 2) return word;
  return step1c(step1b(step1a(word)));
}
