/** Words, stems and language: what the matcher compares. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, detectLanguage } from '../../../src/conversations/assistant/analyse.ts';
import { editDistance } from '../../../src/conversations/assistant/fuzzy.ts';
import { stemEnglish } from '../../../src/conversations/assistant/stem-en.ts';
import { stemFrench } from '../../../src/conversations/assistant/stem-fr.ts';
import { fold, words } from '../../../src/conversations/assistant/tokenise.ts';

test('accents, case and ligatures fold away', () => {
  assert.equal(fold('Où ÊTES-vous ? Œuvre, Straße'), 'ou etes-vous ? oeuvre, strasse');
  assert.deepEqual(words('Délai de livraison'), words('delai de LIVRAISON'));
});

test('apostrophes: French elision, English contractions, and words that keep theirs', () => {
  assert.deepEqual(words("L'adresse de livraison, aujourd'hui ?"), ['adresse', 'de', 'livraison', 'aujourdhui']);
  assert.deepEqual(words('qu’il jusqu’à s’il'), ['il', 'a', 'il']); // typographic apostrophe (U+2019)
  assert.deepEqual(words("where's the parcel's label? I don't know, o'clock"), ['where', 'the', 'parcel', 'label', 'i', 'don', 'know', 'oclock']);
  assert.deepEqual(words("'quoted' words''"), ['quoted', 'words']);
});

test('hyphens, punctuation and emoji separate words; digits are words', () => {
  assert.deepEqual(words('rendez-vous!!! 📦📦 commande n°12345'), ['rendez', 'vous', 'commande', 'n', '12345']);
  assert.deepEqual(words('order#12345'), ['order', '12345']);
});

// Porter 1980, the examples given for step 1 (1a, 1b, 1c).
const PORTER_STEP1: [string, string][] = [
  ['caresses', 'caress'], ['ponies', 'poni'], ['ties', 'ti'], ['caress', 'caress'], ['cats', 'cat'],
  ['feed', 'feed'], ['agreed', 'agree'], ['plastered', 'plaster'], ['bled', 'bled'], ['motoring', 'motor'], ['sing', 'sing'],
  ['conflated', 'conflate'], ['troubled', 'trouble'], ['sized', 'size'], ['hopping', 'hop'], ['tanned', 'tan'],
  ['falling', 'fall'], ['hissing', 'hiss'], ['fizzed', 'fizz'], ['failing', 'fail'], ['filing', 'file'],
  ['happy', 'happi'], ['sky', 'sky'],
];

test("English: Porter's step 1, on the paper's own examples", () => {
  for (const [word, stem] of PORTER_STEP1) assert.equal(stemEnglish(word), stem, word);
  assert.equal(stemEnglish('parcels'), stemEnglish('parcel'));
  assert.equal(stemEnglish('delivered'), stemEnglish('deliver'));
});

test('French: plurals, inflections and common endings meet one stem', () => {
  const same = (...forms: string[]): void => {
    const stems = new Set(forms.map((f) => stemFrench(fold(f))));
    assert.equal(stems.size, 1, `${forms.join(', ')} → ${[...stems].join(', ')}`);
  };
  same('livraison', 'livraisons', 'livrer', 'livré', 'livrée', 'livrées');
  same('commande', 'commandes', 'commander', 'commandé');
  same('rembourser', 'remboursé', 'remboursée', 'remboursement');
  same('annuler', 'annulation', 'annulé');
  same('journal', 'journaux');
  assert.equal(stemFrench('maison'), 'maison'); // -aison would leave one letter: kept whole
  assert.equal(stemFrench('heureux'), 'heureux'); // -eux is not a plural x
});

test('stop words are dropped, question words kept', () => {
  assert.deepEqual(analyse('Where is my parcel?', 'en'), ['where', 'parcel']);
  assert.deepEqual(analyse('Où est mon colis ?', 'fr'), ['ou', stemFrench('colis')]);
  assert.deepEqual(analyse('the of and to', 'en'), []);
});

test('language: by the stop words only one language has; none at all is unclear', () => {
  assert.equal(detectLanguage(words('where is my parcel')), 'en');
  assert.equal(detectLanguage(words('où est mon colis')), 'fr');
  assert.equal(detectLanguage(words("je n'ai pas reçu le paquet")), 'fr');
  assert.equal(detectLanguage(words('colis 12345')), undefined);
  assert.equal(detectLanguage(words('')), undefined);
});

test('edit distance: insertions, deletions, substitutions and swaps, cut off at the limit', () => {
  assert.equal(editDistance('shiping', 'shipping', 2), 1);
  assert.equal(editDistance('comande', 'commande', 2), 1);
  assert.equal(editDistance('parcle', 'parcel', 2), 1); // a swap is one edit (Damerau)
  assert.equal(editDistance('abcdef', 'uvwxyz', 1), 2); // limit + 1 once it must exceed
  assert.equal(editDistance('a', 'abcdef', 2), 3);
});
