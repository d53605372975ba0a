/**
 * Stop words: the words that say which language a message is in but not what it asks.
 * Based on the Snowball project's English and French lists
 * (https://snowballstem.org/algorithms/english/stop.txt, .../french/stop.txt), folded
 * like the messages (no accents, lower case).
 *
 * Both lists also hold the auxiliary and modal verbs (can, want, need / pouvoir, vouloir,
 * devoir, aller): "I want a refund" and "je veux être remboursé" ask for the refund.
 *
 * The question words (where, when, how, why, which / ou, quand, comment, pourquoi,
 * combien, quel) are left out of the lists the matcher drops: "where is my parcel" and
 * "when is my parcel coming" are different questions. They still count for language
 * detection (QUESTION_WORDS).
 */
import type { Language } from './knowledge-base.ts';

const ENGLISH = `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves this that these those
am is are was were be been being have has had having do does did doing would should could ought
a an the and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then once
here there all any both each few more most other some such no nor not only own same so than too very
can will just don dont shall may might must also please hi hello thanks thank want wants need needs like`;

const FRENCH = `au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me meme mes moi mon
ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous
c d j l a m n s t y ete etee etees etes etant suis es est sommes etes sont serai seras sera serons serez
seront serais serait serions seriez seraient etais etait etions etiez etaient fus fut fumes futes furent
sois soit soyons soyez soient fusse fusses fussions fussiez fussent ayant eu eue eues eus ai as avons avez
ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez
avaient eut eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eut eussions eussiez eussent
ceci cela ca cet cette ici ils leurs quoi si tout tous toute toutes tres aussi alors donc est-ce
bonjour merci svp stp plait etre avoir faire peux peut pouvons pouvez peuvent puis pourrais pourrait
veux veut voulons voulez veulent voudrais voudrait dois doit devons devez doivent vais vas va allons allez vont`;

/** Question words: kept as terms, counted for detection. */
export const QUESTION_WORDS: Record<Language, ReadonlySet<string>> = {
  en: new Set(['what', 'which', 'who', 'whom', 'where', 'when', 'why', 'how']),
  fr: new Set(['ou', 'quand', 'comment', 'pourquoi', 'combien', 'quel', 'quelle', 'quels', 'quelles', 'lequel', 'laquelle']),
};

const list = (s: string): Set<string> => new Set(s.split(/\s+/).filter((w) => w !== ''));

/** Words the matcher drops, per language. */
export const STOP_WORDS: Record<Language, ReadonlySet<string>> = { en: list(ENGLISH), fr: list(FRENCH) };

// `ou` is both "or" (a stop word) and "where" once its accent is folded away: kept as a term.
(STOP_WORDS.fr as Set<string>).delete('ou');
