/**
 * A message against an index (pure): BM25 over the targets of its language, typos taken
 * to the nearest known word, the best target's confidence against the threshold.
 *
 * Confidence, in 0..1, is the mean of two shares, so that it says both "the knowledge base
 * knows what the message asks" and "the message asks what a phrasing says":
 * - query coverage: the best target's BM25 score divided by the score that a target of
 *   average length holding every term of the message would get, which is the sum of the
 *   terms' idf (with tf = 1 and len = avg, BM25's (k1 + 1)·tf / (tf + k1·(1 − b +
 *   b·len/avg)) is 1); clamped at 1 (a target with short phrasings scores a little over).
 *   Each term the target lacks lowers it by its share of the message's idf, and a word
 *   the knowledge base never saw ("Mars", "password") weighs as much as its rarest one,
 *   so an out-of-scope question sharing a common word stays low;
 * - phrasing coverage: the largest share of one of the target's phrasings (by idf) that
 *   the message holds, so "Hello, I'm Marie and I'd like to know where my parcel is"
 *   still finds "Where is my parcel?" whole, the greeting and the name notwithstanding.
 * A term found only as a typo counts FUZZY_WEIGHT of its idf in both. Scores of
 * different messages and knowledge bases are comparable, which raw BM25 scores are not,
 * so one threshold serves all.
 */
import { detectLanguage, terms } from './analyse.ts';
import { BM25, type AssistantIndex, type LanguageIndex } from './bm25-index.ts';
import { editDistance, maxEdits } from './fuzzy.ts';
import { LANGUAGES, type Language } from './knowledge-base.ts';
import type { AssistantReply } from './reply.ts';
import { words } from './tokenise.ts';

/** Below this confidence the message goes to a person (see docs/conversations-assistant.md for how it was chosen). */
export const DEFAULT_THRESHOLD = 0.45;
/** What a word found only as a typo of a known word counts, against the word itself. */
export const FUZZY_WEIGHT = 0.8;
/** Typo searches per message: each scans the known words of about the same length. */
const MAX_FUZZY_LOOKUPS = 16;

interface Scored {
  doc: number;
  confidence: number;
  language: Language;
  weights: ReadonlyMap<string, number>;
}

function nearestTerm(index: LanguageIndex, term: string): string | undefined {
  const limit = maxEdits(term.length);
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (let len = term.length - limit; len <= term.length + limit; len++) {
    for (const known of index.byLength.get(len) ?? []) {
      const d = editDistance(term, known, limit);
      // Nearer wins; at equal distance the more common word (lower idf), then the first in order.
      if (d < bestDistance || (d === bestDistance && best !== undefined && index.idf.get(known)! < index.idf.get(best)!)) {
        best = known;
        bestDistance = d;
      }
    }
  }
  return bestDistance <= limit ? best : undefined;
}

function bestIn(index: LanguageIndex, queryTerms: readonly string[], language: Language): Scored | undefined {
  if (index.docs.length === 0) return undefined;
  const weights = new Map<string, number>(); // known term → weight
  let norm = 0;
  let lookups = 0;
  for (const term of new Set(queryTerms)) {
    const idf = index.idf.get(term);
    if (idf !== undefined) {
      weights.set(term, Math.max(weights.get(term) ?? 0, 1));
      norm += idf;
      continue;
    }
    const near = lookups++ < MAX_FUZZY_LOOKUPS ? nearestTerm(index, term) : undefined;
    if (near === undefined) {
      norm += index.unknownIdf;
    } else {
      weights.set(near, Math.max(weights.get(near) ?? 0, FUZZY_WEIGHT));
      norm += index.idf.get(near)!;
    }
  }
  if (norm === 0) return undefined;
  const scores = new Map<number, number>();
  const { k1, b } = BM25;
  for (const [term, weight] of weights) {
    const idf = index.idf.get(term)!;
    for (const d of index.postings.get(term)!) {
      // tf is 1 (bm25-index.ts): (k1 + 1) / (1 + k1·(1 − b + b·len/avg)).
      const part = (idf * (k1 + 1)) / (1 + k1 * (1 - b + (b * index.docs[d]!.length) / index.avgLength));
      scores.set(d, (scores.get(d) ?? 0) + weight * part);
    }
  }
  let best: Scored | undefined;
  for (const [d, score] of scores) {
    const confidence = (Math.min(1, score / norm) + phrasingCoverage(index, d, weights)) / 2;
    if (!best || confidence > best.confidence || (confidence === best.confidence && wins(index, d, best.doc))) best = { doc: d, confidence, language, weights };
  }
  return best;
}

/** The largest share of one phrasing's idf that the message holds (typos at their weight). */
function phrasingCoverage(index: LanguageIndex, d: number, weights: ReadonlyMap<string, number>): number {
  let best = 0;
  for (const p of index.docs[d]!.phrasings) {
    let held = 0;
    let all = 0;
    for (const term of p.terms) {
      const idf = index.idf.get(term)!;
      all += idf;
      held += (weights.get(term) ?? 0) * idf;
    }
    if (all > 0 && held / all > best) best = held / all;
  }
  return best;
}

/** At equal confidence: the intent over an answer (it does something), then the first in the knowledge base. */
function wins(index: LanguageIndex, d: number, other: number): boolean {
  const [a, b] = [index.docs[d]!.target.kind, index.docs[other]!.target.kind];
  if (a !== b) return a === 'intent';
  return d < other;
}

/** The phrasing that holds the most of the message's weight: the one shown as `matched.question`. */
function matchedPhrasing(index: LanguageIndex, scored: Scored): string {
  let best = '';
  let bestWeight = -1;
  for (const p of index.docs[scored.doc]!.phrasings) {
    let w = 0;
    for (const [term, weight] of scored.weights) if (p.terms.has(term)) w += weight * index.idf.get(term)!;
    if (w > bestWeight) [best, bestWeight] = [p.text, w];
  }
  return best;
}

export interface MatchOptions {
  /** The message's language when the thread says it; otherwise it is detected, and both are tried when that is unclear. */
  language?: Language | undefined;
  threshold?: number | undefined;
}

/**
 * The reply to one message.
 *
 *   match(index, 'Ou est mon colis ?') // {kind: 'intent', intent: 'track_order', action: {...}, confidence: 1, language: 'fr'}
 */
export function match(index: AssistantIndex, message: string, options: MatchOptions = {}): AssistantReply {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const wordList = words(message);
  const languages = options.language ? [options.language] : (() => {
    const detected = detectLanguage(wordList);
    return detected ? [detected] : [...LANGUAGES];
  })();
  let best: Scored | undefined;
  let anyTerms = false;
  for (const language of languages) {
    const queryTerms = terms(wordList, language);
    if (queryTerms.length === 0) continue;
    anyTerms = true;
    const scored = bestIn(index[language], queryTerms, language);
    if (scored && (!best || scored.confidence > best.confidence)) best = scored;
  }
  if (!anyTerms) return { kind: 'handoff', reason: 'no_words', confidence: 0 };
  if (!best || best.confidence < threshold) return { kind: 'handoff', reason: 'low_confidence', confidence: round(best?.confidence ?? 0) };
  const li = index[best.language];
  const target = li.docs[best.doc]!.target;
  const confidence = round(best.confidence);
  if (target.kind === 'intent') return { kind: 'intent', intent: target.name, action: target.action, confidence, language: best.language };
  return { kind: 'answer', text: target.answer, confidence, language: best.language, matched: { source: 'pair', pairId: target.id, question: matchedPhrasing(li, best) } };
}

/** Three decimals: enough to compare with a threshold, and stable to show and log. */
const round = (x: number): number => Math.round(x * 1000) / 1000;
