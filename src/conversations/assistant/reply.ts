/** What an assistant answers a user's message with: the one shape the built-in matcher and an external model share. */
import type { IntentAction, Language } from './knowledge-base.ts';

export type HandoffReason =
  /** The best match is below the threshold. */
  | 'low_confidence'
  /** The message holds no word to match (only punctuation, emoji, stop words). */
  | 'no_words'
  /** The external model did not answer within its timeout, or could not be reached. */
  | 'model_unavailable'
  /** The external model answered something that is not a reply (see external-model.ts). */
  | 'model_bad_response';

/** Where an answer came from: a pair of the knowledge base (and the phrasing that matched), or the external model. */
export type Matched = { source: 'pair'; pairId: string; question: string } | { source: 'model' };

export type AssistantReply =
  | { kind: 'answer'; text: string; confidence: number; language: Language; matched: Matched }
  | { kind: 'intent'; intent: string; action: IntentAction; confidence: number; language: Language }
  | { kind: 'handoff'; reason: HandoffReason; confidence: number };

export interface AssistantInput {
  /** The user's message, as they typed it (cut at MAX_MESSAGE_CHARS). */
  message: string;
  /** The thread's language when it is known (the notification's); otherwise detected. */
  language?: Language | undefined;
  /** The thread so far, oldest first; the built-in matcher reads only `message`. */
  history?: readonly { from: 'user' | 'assistant' | 'person'; text: string }[] | undefined;
}

/** An assistant: the built-in matcher (createBuiltinAssistant) or an external model (createExternalModel). */
export interface Assistant {
  reply(input: AssistantInput): Promise<AssistantReply>;
}
