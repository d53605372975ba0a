/**
 * Checks an uploaded knowledge base whole (pure) and lists every problem with an RFC 6901
 * pointer into the body, so the app fixes them in one round; the server answers
 * `invalid_knowledge_base` with the list (assertKnowledgeBase).
 *
 * Beyond the schema (knowledge-base.ts): ids and intent names are each used once; every
 * intent has a phrasing in at least one language; a phrasing must hold a word that is not
 * a stop word (otherwise nothing can ever match it); action URLs are absolute `https:`
 * URLs without credentials or fragment (where they may point is checked when Carillon
 * connects, as for webhooks).
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ApiError } from '../../errors/api-error.ts';
import { analyse } from './analyse.ts';
import { KnowledgeBase, LANGUAGES, type Language } from './knowledge-base.ts';

export interface KnowledgeBaseProblem {
  /** RFC 6901 pointer as a URI fragment (§6): `#/pairs/3/questions/0`. */
  pointer: string;
  detail: string;
}

/** At most this many problems are listed: enough to fix a batch, bounded for a hostile body. */
export const MAX_PROBLEMS = 50;

const checkShape = TypeCompiler.Compile(KnowledgeBase);

/** `['pairs', 3, 'id']` → `#/pairs/3/id`, each token escaped (RFC 6901 §3) and percent-encoded (§6). */
function pointerOf(path: readonly (string | number)[]): string {
  return '#' + path.map((p) => '/' + encodeURIComponent(String(p).replaceAll('~', '~0').replaceAll('/', '~1'))).join('');
}

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:') return 'an action URL is https:';
  if (url.username || url.password) return 'an action URL carries no user name or password';
  if (url.hash) return 'an action URL has no fragment';
  return undefined;
}

/**
 * The problems of a knowledge base; an empty list when it may be stored.
 *
 *   validateKnowledgeBase({pairs: [{id: 'a', language: 'de', questions: [], answer: ''}]})
 *   // [{pointer: '#/pairs/0/language', ...}, {pointer: '#/pairs/0/questions', ...}, ...]
 */
export function validateKnowledgeBase(body: unknown): KnowledgeBaseProblem[] {
  const problems: KnowledgeBaseProblem[] = [];
  if (!checkShape.Check(body)) {
    const seen = new Set<string>();
    for (const error of checkShape.Errors(body)) {
      // TypeBox paths are RFC 6901 pointers already (escaped, not URI-encoded).
      const pointer = '#' + error.path.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t))).join('/');
      if (seen.has(pointer)) continue; // a union reports each branch; the first says enough
      seen.add(pointer);
      problems.push({ pointer, detail: error.message });
      if (problems.length >= MAX_PROBLEMS) break;
    }
    return problems;
  }
  const kb = body;
  const add = (path: (string | number)[], detail: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ pointer: pointerOf(path), detail });
  };
  const noWords = (text: string, language: Language): boolean => analyse(text, language).length === 0;
  const ids = new Map<string, number>();
  kb.pairs.forEach((pair, i) => {
    const first = ids.get(pair.id);
    if (first !== undefined) add(['pairs', i, 'id'], `the id ${pair.id} is that of pairs/${first}`);
    else ids.set(pair.id, i);
    pair.questions.forEach((q, j) => {
      if (noWords(q, pair.language)) add(['pairs', i, 'questions', j], 'the question holds only stop words, so nothing can match it');
    });
  });
  const names = new Map<string, number>();
  (kb.intents ?? []).forEach((intent, i) => {
    const first = names.get(intent.name);
    if (first !== undefined) add(['intents', i, 'name'], `the name ${intent.name} is that of intents/${first}`);
    else names.set(intent.name, i);
    if (!LANGUAGES.some((l) => intent.phrasings[l]?.length)) add(['intents', i, 'phrasings'], 'an intent has phrasings in at least one language (en, fr)');
    for (const language of LANGUAGES) {
      intent.phrasings[language]?.forEach((text, j) => {
        if (noWords(text, language)) add(['intents', i, 'phrasings', language, j], 'the phrasing holds only stop words, so nothing can match it');
      });
    }
    const [path, url] = 'webhook' in intent.action ? [['action', 'webhook'], intent.action.webhook] : [['action', 'offerSlots', 'url'], intent.action.offerSlots.url];
    const problem = urlProblem(url);
    if (problem) add(['intents', i, ...path], problem);
  });
  return problems;
}

/**
 * The knowledge base, typed, or an `invalid_knowledge_base` ApiError (400) whose `errors`
 * lists the problems and whose `pointer` is the first's.
 * @throws ApiError invalid_knowledge_base
 */
export function assertKnowledgeBase(body: unknown): KnowledgeBase {
  const problems = validateKnowledgeBase(body);
  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new ApiError('invalid_knowledge_base', `${first.pointer.slice(2) || 'body'}: ${first.detail}${more}`, { pointer: first.pointer, errors: problems });
  }
  return body as KnowledgeBase;
}
