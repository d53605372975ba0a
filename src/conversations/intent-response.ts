/**
 * What an intent's URL answered, read into what the thread gets (pure: no I/O, no clock),
 * docs/conversations-assistant.md#intents:
 * - `webhook`: a 2xx JSON `{text, actions?}` (the limits of POST …/conversations/{id}/messages)
 *   is the answer; a 204 or an empty 2xx body means the app answers later through that route;
 * - `offerSlots`: a 2xx JSON list `[{id, label}]`, the first min(max, 3) of them offered
 *   as buttons under the prompt; an empty list (or 204) is no free slot.
 * 408, 429 and 5xx are worth another attempt; any other status, or a body that is not the
 * above, hands the thread to a person with the reason.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { NotificationAction } from '../message/content.ts';
import type { Language } from './assistant/index.ts';
import { AnswerInput } from './reply-input.ts';
import type { IntentResponse } from './intent-http.ts';

/** Buttons an answer carries at most: the messages route's limit, the reply button being the fourth a browser shows. */
export const MAX_ANSWER_ACTIONS = 3;
/** Slots a list may hold; more is not a list of the next free slots. */
export const MAX_LISTED_SLOTS = 100;
/** A slot's button is `slot:<id>`, within an action id's 64 characters. */
export const SLOT_ACTION_PREFIX = 'slot:';

const Slot = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 - SLOT_ACTION_PREFIX.length, pattern: '^[A-Za-z0-9_.:-]+$' }),
  label: Type.String({ minLength: 1, maxLength: 100 }),
});
const SlotList = Type.Array(Slot, { maxItems: MAX_LISTED_SLOTS });
const checkAnswer = TypeCompiler.Compile(AnswerInput);
const checkSlots = TypeCompiler.Compile(SlotList);

/** When the knowledge base gives no prompt in the thread's language. */
export const DEFAULT_SLOT_PROMPT: Record<Language, string> = { en: 'Here are the next free slots:', fr: 'Voici les prochains créneaux libres :' };

export type IntentVerdict =
  | { kind: 'answer'; text: string; actions: NotificationAction[] }
  | { kind: 'later' }
  /** Worth another attempt; the reason is the hand-off's if none is left. */
  | { kind: 'retry'; reason: string }
  | { kind: 'handoff'; reason: string };

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Common to both actions: a status that is no answer, and a 2xx body that should be JSON. */
function parseBody(res: IntentResponse): { kind: 'json'; value: unknown } | { kind: 'empty' } | IntentVerdict {
  if (res.status < 200 || res.status > 299) {
    return retryable(res.status) ? { kind: 'retry', reason: `intent_unreachable: HTTP ${res.status}` } : { kind: 'handoff', reason: `intent_refused: HTTP ${res.status}` };
  }
  if (res.status === 204 || res.body.trim() === '') return { kind: 'empty' };
  if (res.mediaType !== 'application/json' && !res.mediaType.endsWith('+json')) return { kind: 'handoff', reason: `intent_bad_response: content-type ${res.mediaType || 'missing'}, not application/json` };
  try {
    return { kind: 'json', value: JSON.parse(res.body) };
  } catch {
    return { kind: 'handoff', reason: 'intent_bad_response: the body is not JSON' };
  }
}

function firstError(errors: Iterable<{ path: string; message: string }>): string {
  for (const e of errors) return `#${e.path}: ${e.message}`;
  return '#: invalid';
}

/** The webhook's answer. */
export function webhookVerdict(res: IntentResponse): IntentVerdict {
  const body = parseBody(res);
  if (body.kind === 'empty') return { kind: 'later' };
  if (body.kind !== 'json') return body;
  if (!checkAnswer.Check(body.value)) return { kind: 'handoff', reason: `intent_bad_response: ${firstError(checkAnswer.Errors(body.value))}` };
  return { kind: 'answer', text: body.value.text, actions: body.value.actions ?? [] };
}

export interface SlotOffer {
  max: number;
  prompt?: Partial<Record<Language, string>> | undefined;
}

/** The slots offered in the thread's language. */
export function slotsVerdict(res: IntentResponse, offer: SlotOffer, language: Language): IntentVerdict {
  const body = parseBody(res);
  if (body.kind !== 'json' && body.kind !== 'empty') return body;
  const value = body.kind === 'empty' ? [] : body.value;
  if (!checkSlots.Check(value)) return { kind: 'handoff', reason: `intent_bad_response: ${firstError(checkSlots.Errors(value))}` };
  if (value.length === 0) return { kind: 'handoff', reason: 'intent_no_slots: the app listed no free slot' };
  // The thread's language always: Carillon's own prompt rather than the knowledge base's in the other language.
  const text = offer.prompt?.[language] ?? DEFAULT_SLOT_PROMPT[language];
  const shown = value.slice(0, Math.min(offer.max, MAX_ANSWER_ACTIONS));
  return { kind: 'answer', text, actions: shown.map((s) => ({ action: `${SLOT_ACTION_PREFIX}${s.id}`, title: s.label })) };
}
