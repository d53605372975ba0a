/**
 * The index of one knowledge base version (pure): per language, the phrasings as BM25
 * documents (S. E. Robertson and H. Zaragoza, "The Probabilistic Relevance Framework:
 * BM25 and Beyond", Foundations and Trends in IR 3(4), 2009, §3).
 *
 * - A document is a target (a pair, an intent): the set of the terms of its phrasings. A
 *   question reworded by a user often takes one word from one phrasing and one from
 *   another ("numéro du service client" against "contacter le service client" and "votre
 *   numéro de téléphone"); scored one phrasing at a time it would match neither well.
 * - A term counts once per target (tf is 0 or 1): a pair whose five phrasings all say
 *   "parcel" is not five times about parcels, and its length for BM25 is the mean length
 *   of its phrasings, so writing more phrasings does not make a pair look long.
 * - k1 = 1.2, b = 0.75: the values Robertson and Zaragoza give as the usual choice (§3.4;
 *   k1 in 1.2–2.0, b = 0.75). With tf at most 1, k1 only sets how much b weighs; b
 *   rewards the target whose phrasings say the question in fewer other words, which is
 *   what tells "where is my parcel" from "my parcel arrived damaged, who do I write to".
 */
import { analyse } from './analyse.ts';
import { LANGUAGES, type IntentAction, type KnowledgeBase, type Language } from './knowledge-base.ts';

export const BM25 = { k1: 1.2, b: 0.75 } as const;

export type Target =
  | { kind: 'answer'; id: string; answer: string }
  | { kind: 'intent'; name: string; action: IntentAction };

export interface Phrasing {
  text: string;
  terms: ReadonlySet<string>;
}

export interface TargetDoc {
  target: Target;
  phrasings: Phrasing[];
  /** The union of its phrasings' terms. */
  terms: ReadonlySet<string>;
  /** The mean number of terms of its phrasings. */
  length: number;
}

export interface LanguageIndex {
  docs: TargetDoc[];
  /** Term → the targets (docs) that hold it. */
  postings: ReadonlyMap<string, number[]>;
  /** Term → its BM25 idf, over targets. */
  idf: ReadonlyMap<string, number>;
  /** The idf of a term no target holds: the weight a word the knowledge base never saw carries. */
  unknownIdf: number;
  avgLength: number;
  /** Terms by length, for the typo search (fuzzy.ts). */
  byLength: ReadonlyMap<number, string[]>;
}

export type AssistantIndex = Readonly<Record<Language, LanguageIndex>>;

/** BM25's idf in the non-negative form (Lucene's): ln(1 + (N − df + 0.5) / (df + 0.5)). */
const idfOf = (n: number, df: number): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));

function languageIndex(kb: KnowledgeBase, language: Language): LanguageIndex {
  const docs: TargetDoc[] = [];
  const add = (target: Target, texts: readonly string[]): void => {
    const phrasings: Phrasing[] = [];
    let total = 0;
    for (const text of texts) {
      const terms = analyse(text, language);
      if (terms.length === 0) continue; // only stop words: validation refuses these, a stored old version may hold one
      phrasings.push({ text, terms: new Set(terms) });
      total += terms.length;
    }
    if (phrasings.length === 0) return;
    docs.push({ target, phrasings, terms: new Set(phrasings.flatMap((p) => [...p.terms])), length: total / phrasings.length });
  };
  for (const pair of kb.pairs) if (pair.language === language) add({ kind: 'answer', id: pair.id, answer: pair.answer }, pair.questions);
  for (const intent of kb.intents ?? []) {
    const texts = intent.phrasings[language];
    if (texts) add({ kind: 'intent', name: intent.name, action: intent.action }, texts);
  }
  const postings = new Map<string, number[]>();
  let total = 0;
  docs.forEach((doc, i) => {
    total += doc.length;
    for (const term of doc.terms) {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push(i);
    }
  });
  const n = docs.length;
  const idf = new Map<string, number>();
  const byLength = new Map<number, string[]>();
  for (const [term, list] of postings) {
    idf.set(term, idfOf(n, list.length));
    let same = byLength.get(term.length);
    if (!same) byLength.set(term.length, (same = []));
    same.push(term);
  }
  return { docs, postings, idf, unknownIdf: idfOf(n, 0), avgLength: n ? total / n : 1, byLength };
}

/** Builds the index of a knowledge base (validated first: validateKnowledgeBase). Linear in its phrasings. */
export function buildIndex(kb: KnowledgeBase): AssistantIndex {
  return Object.fromEntries(LANGUAGES.map((l) => [l, languageIndex(kb, l)])) as Record<Language, LanguageIndex>;
}
