/**
 * A light French stemmer in the spirit of J. Savoy's ("A stemming procedure and stopword
 * list for general French corpora", JASIS 50(10), 1999, pp. 944–952; the UniNE "light"
 * stemmer, https://members.unine.ch/jacques.savoy/clef/): plurals first, then one
 * inflectional or common derivational ending, then a doubled final letter. Savoy shows
 * that such a light stemmer does about as well as an aggressive one on French retrieval,
 * and an FAQ's questions are short enough that over-merging costs more than it gains.
 *
 *   stemFrench('livraisons') // 'livr'     stemFrench('livree')    // 'livr'
 *   stemFrench('journaux')   // 'journal'  stemFrench('annulation') // 'annul'
 *
 * Input is folded (lower case, no accents), as words() gives it, so é and e are one letter
 * here: "livré" and "livre" stem alike, which is what a user typing without accents needs.
 */

/** The shortest stem an ending may leave: shorter ones merge unrelated words (Savoy keeps 3 too). */
const MIN_STEM = 3;

/** Endings tried longest first; the first that leaves MIN_STEM letters is taken off. */
const ENDINGS = [
  'issements', 'issement', 'ements', 'ement', 'ations', 'ation', 'atrices', 'atrice', 'ateurs', 'ateur',
  'aisons', 'aison', 'ments', 'ment', 'euses', 'euse', 'eurs', 'eur', 'ures', 'ure', 'ions', 'ion',
  'aient', 'erons', 'erez', 'eront', 'erai', 'era', 'ais', 'ait', 'ant', 'ent', 'ons', 'ees', 'ee', 'es',
  'er', 'ez', 'ir', 'is', 'it', 'e', 'i',
].sort((a, b) => b.length - a.length);

function plural(w: string): string {
  if (w.length > 4 && w.endsWith('eaux')) return w.slice(0, -1); // bateaux → bateau
  if (w.length > 4 && w.endsWith('aux')) return w.slice(0, -3) + 'al'; // journaux → journal
  if (w.length > 3 && w.endsWith('x') && (w.endsWith('eux') || w.endsWith('oux'))) return w; // heureux, jaloux: not plurals
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1); // colis → coli, adresses → adresse
  return w;
}

/** The French light stem of a folded word. */
export function stemFrench(word: string): string {
  if (word.length <= MIN_STEM) return word;
  let w = plural(word);
  for (const ending of ENDINGS) {
    if (w.endsWith(ending) && w.length - ending.length >= MIN_STEM) {
      w = w.slice(0, -ending.length);
      break;
    }
  }
  // Savoy: a doubled final consonant is one letter (appell → appel, annull → annul).
  if (w.length > MIN_STEM && w[w.length - 1] === w[w.length - 2] && !'aeiou'.includes(w[w.length - 1]!)) w = w.slice(0, -1);
  return w;
}
