/**
 * Words to terms for one language, and which language a message is in.
 */
import type { Language } from './knowledge-base.ts';
import { stemEnglish } from './stem-en.ts';
import { stemFrench } from './stem-fr.ts';
import { QUESTION_WORDS, STOP_WORDS } from './stop-words.ts';
import { words } from './tokenise.ts';

const STEMMERS: Record<Language, (word: string) => string> = { en: stemEnglish, fr: stemFrench };

/** The stems of the words that are not stop words of `language`, in order (repeats kept: BM25 counts them). */
export function terms(wordList: readonly string[], language: Language): string[] {
  const stop = STOP_WORDS[language];
  const stem = STEMMERS[language];
  return wordList.filter((w) => !stop.has(w)).map(stem);
}

/** A phrasing or message straight to its terms. */
export const analyse = (text: string, language: Language): string[] => terms(words(text), language);

// Detection counts only the words that tell the languages apart: `on`, `a`, `me`, `est`
// are in both (or fold into a word of the other) and count for neither.
function telling(language: Language, other: Language): ReadonlySet<string> {
  const own = new Set([...STOP_WORDS[language], ...QUESTION_WORDS[language]]);
  const theirs = new Set([...STOP_WORDS[other], ...QUESTION_WORDS[other]]);
  return new Set([...own].filter((w) => !theirs.has(w)));
}
const TELLING: Record<Language, ReadonlySet<string>> = { en: telling('en', 'fr'), fr: telling('fr', 'en') };

/**
 * The language of a message by its stop words (Grefenstette's short-word method, "Comparing
 * two language identification schemes", JADT 1995): the language with more of its own
 * telling words wins; a tie (no telling word at all: "colis ?", "refund") is `undefined`,
 * and the caller then tries both.
 */
export function detectLanguage(wordList: readonly string[]): Language | undefined {
  let en = 0;
  let fr = 0;
  for (const w of wordList) {
    if (TELLING.en.has(w)) en++;
    if (TELLING.fr.has(w)) fr++;
  }
  if (en === fr) return undefined;
  return en > fr ? 'en' : 'fr';
}
