/**
 * The knowledge base an app uploads for its built-in assistant: question–answer pairs and
 * intents, in English and French. The schema bounds what one upload may hold, so that the
 * index built from it stays small (see build-index.ts) and an answer fits a notification.
 *
 *   {
 *     "pairs": [{ "id": "opening-hours", "language": "en",
 *                 "questions": ["When are you open?", "What are your opening hours?"],
 *                 "answer": "We are open Monday to Saturday, 8am to 7pm." }],
 *     "intents": [{ "name": "track_order",
 *                   "phrasings": { "en": ["Where is my parcel?"], "fr": ["Où est mon colis ?"] },
 *                   "action": { "webhook": "https://shop.example/hooks/track" } }]
 *   }
 *
 * An intent's `action` is what Carillon does when the intent is recognised:
 * - `{webhook: url}`: posts the message to the app's server, which answers (track an order);
 * - `{offerSlots: {url, max, prompt}}`: fetches the next free slots from the app's url and
 *   offers at most `max` of them as action buttons, with `prompt` as the text (reschedule).
 */
import { Type, type Static } from '@sinclair/typebox';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const KNOWLEDGE_BASE_LIMITS = {
  maxPairs: 2_000, // pairs; an FAQ, not a document store: 1,000 builds in milliseconds
  maxQuestions: 20, // phrasings per pair or per intent language
  maxIntents: 50, // intents
  maxPhrasingChars: 300, // characters; a question, not a paragraph
  maxAnswerChars: 1_000, // characters; an answer is shown as a notification body
  maxIdChars: 64, // characters, for pair ids and intent names
  maxUrlChars: 2_048, // characters, as webhook URLs elsewhere in the API
  maxSlots: 4, // buttons; APNs categories show up to four actions, Web Push fewer (Notification.maxActions)
} as const;

const L = KNOWLEDGE_BASE_LIMITS;
// Linear patterns: one character class repeated, no nesting.
const Id = Type.String({ minLength: 1, maxLength: L.maxIdChars, pattern: '^[a-z0-9][a-z0-9_.-]*$' });
const Phrasing = Type.String({ minLength: 1, maxLength: L.maxPhrasingChars });
const Phrasings = Type.Array(Phrasing, { minItems: 1, maxItems: L.maxQuestions });
const Url = Type.String({ minLength: 1, maxLength: L.maxUrlChars });
const LocalText = Type.Object(
  { en: Type.Optional(Type.String({ minLength: 1, maxLength: L.maxAnswerChars })), fr: Type.Optional(Type.String({ minLength: 1, maxLength: L.maxAnswerChars })) },
  { additionalProperties: false },
);

export const QaPair = Type.Object(
  {
    id: Id,
    language: Type.Union(LANGUAGES.map((l) => Type.Literal(l))),
    questions: Phrasings,
    answer: Type.String({ minLength: 1, maxLength: L.maxAnswerChars }),
  },
  { additionalProperties: false },
);
export type QaPair = Static<typeof QaPair>;

export const WebhookAction = Type.Object({ webhook: Url }, { additionalProperties: false });
export const OfferSlotsAction = Type.Object(
  { offerSlots: Type.Object({ url: Url, max: Type.Integer({ minimum: 1, maximum: L.maxSlots }), prompt: Type.Optional(LocalText) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export const IntentAction = Type.Union([WebhookAction, OfferSlotsAction]);
export type IntentAction = Static<typeof IntentAction>;

export const Intent = Type.Object(
  {
    name: Id,
    phrasings: Type.Object({ en: Type.Optional(Phrasings), fr: Type.Optional(Phrasings) }, { additionalProperties: false }),
    action: IntentAction,
  },
  { additionalProperties: false },
);
export type Intent = Static<typeof Intent>;

export const KnowledgeBase = Type.Object(
  {
    pairs: Type.Array(QaPair, { maxItems: L.maxPairs }),
    intents: Type.Optional(Type.Array(Intent, { maxItems: L.maxIntents })),
  },
  { additionalProperties: false },
);
export type KnowledgeBase = Static<typeof KnowledgeBase>;
