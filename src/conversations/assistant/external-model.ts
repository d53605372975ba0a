/**
 * The external model hook: the Assistant interface answered by an HTTP endpoint the
 * operator runs (a language model server behind a small adapter), in place of the built-in
 * matcher. The endpoint is the operator's, configured on the server, not an app's: it is
 * reached as configured (a loopback or private address is expected), never from a URL in
 * a request.
 *
 * Request: `POST <url>`, `content-type: application/json`, `authorization: Bearer <token>`
 * when one is configured:
 *
 *   {"message": "où est mon colis ?", "language": "fr" | null,
 *    "history": [{"from": "user" | "assistant" | "person", "text": "..."}],
 *    "intents": ["track_order", "reschedule"]}
 *
 * Response: 200 with one of
 *
 *   {"kind": "answer", "text": "...", "confidence": 0.92, "language": "fr"}
 *   {"kind": "intent", "intent": "track_order", "confidence": 0.8}
 *   {"kind": "handoff"}
 *
 * `confidence` is 0..1 and compared with the same threshold as the built-in matcher;
 * `language` is optional (the thread's, else `en`). An intent is one of those sent, and
 * its action is the knowledge base's: the model chooses what to do, never where a request
 * goes. Anything else falls back to a hand-off to a person, so a model that is down,
 * slow or confused never leaves the user without an answer:
 * - no answer within `timeoutMs`, a refused connection or a status other than 200:
 *   `{kind: 'handoff', reason: 'model_unavailable'}`;
 * - a body over MAX_MODEL_RESPONSE_BYTES, not JSON, or not one of the shapes above (an
 *   unknown intent, text over the answer limit): `reason: 'model_bad_response'`.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { KNOWLEDGE_BASE_LIMITS, LANGUAGES, type Intent, type Language } from './knowledge-base.ts';
import { DEFAULT_THRESHOLD } from './match.ts';
import type { Assistant, AssistantInput, AssistantReply, HandoffReason } from './reply.ts';
import { MAX_MESSAGE_CHARS } from './tokenise.ts';

export const DEFAULT_MODEL_TIMEOUT = 5_000; // ms; a user waiting on a push reply, and a model that is slower is better replaced by a person
export const MAX_MODEL_RESPONSE_BYTES = 64 * 1024; // bytes; an answer is a notification body
const MAX_HISTORY = 20; // messages sent with the request, the latest ones

const Confidence = Type.Number({ minimum: 0, maximum: 1 });
const ModelResponse = Type.Union([
  Type.Object({ kind: Type.Literal('answer'), text: Type.String({ minLength: 1, maxLength: KNOWLEDGE_BASE_LIMITS.maxAnswerChars }), confidence: Confidence, language: Type.Optional(Type.Union(LANGUAGES.map((l) => Type.Literal(l)))) }),
  Type.Object({ kind: Type.Literal('intent'), intent: Type.String({ maxLength: KNOWLEDGE_BASE_LIMITS.maxIdChars }), confidence: Confidence }),
  Type.Object({ kind: Type.Literal('handoff') }),
]);
const checkResponse = TypeCompiler.Compile(ModelResponse);

export interface ExternalModelOptions {
  /** The operator's model endpoint (http: or https:). */
  url: string;
  /** Sent as a bearer token; never logged or returned. */
  token?: string | undefined;
  timeoutMs?: number | undefined;
  threshold?: number | undefined;
  /** The app's intents: the model may name one, and gets its action from here. */
  intents?: readonly Intent[] | undefined;
  /** For tests and proxies; the global fetch otherwise. */
  fetch?: typeof fetch | undefined;
  /** The signal that ends a request after `timeoutMs`; AbortSignal.timeout unless a test holds the clock. */
  deadline?: ((timeoutMs: number) => AbortSignal) | undefined;
}

class BadResponse extends Error {}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_MODEL_RESPONSE_BYTES) {
      await reader.cancel();
      throw new BadResponse(`over ${MAX_MODEL_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An Assistant that asks the operator's model.
 *
 *   const assistant = createExternalModel({url: 'http://127.0.0.1:8088/reply', intents: kb.intents})
 */
export function createExternalModel(options: ExternalModelOptions): Assistant {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const timeoutMs = options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT;
  const doFetch = options.fetch ?? fetch;
  const deadline = options.deadline ?? ((ms: number) => AbortSignal.timeout(ms));
  const intents = new Map((options.intents ?? []).map((i) => [i.name, i]));
  const handoff = (reason: HandoffReason, confidence = 0): AssistantReply => ({ kind: 'handoff', reason, confidence });

  return {
    async reply(input: AssistantInput): Promise<AssistantReply> {
      const body = JSON.stringify({
        message: input.message.slice(0, MAX_MESSAGE_CHARS),
        language: input.language ?? null,
        history: (input.history ?? []).slice(-MAX_HISTORY).map((m) => ({ from: m.from, text: m.text.slice(0, MAX_MESSAGE_CHARS) })),
        intents: [...intents.keys()],
      });
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let text: string;
      try {
        // One signal for the whole exchange: a server that sends headers then stalls the body times out too.
        const response = await doFetch(options.url, { method: 'POST', headers, body, signal: deadline(timeoutMs), redirect: 'error' });
        if (response.status !== 200) {
          await response.body?.cancel();
          return handoff('model_unavailable');
        }
        text = await readCapped(response);
      } catch (error) {
        return handoff(error instanceof BadResponse ? 'model_bad_response' : 'model_unavailable');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return handoff('model_bad_response');
      }
      if (!checkResponse.Check(parsed)) return handoff('model_bad_response');
      if (parsed.kind === 'handoff') return handoff('low_confidence');
      if (parsed.confidence < threshold) return handoff('low_confidence', parsed.confidence);
      const language: Language = ('language' in parsed && parsed.language) || input.language || 'en';
      if (parsed.kind === 'answer') return { kind: 'answer', text: parsed.text, confidence: parsed.confidence, language, matched: { source: 'model' } };
      const intent = intents.get(parsed.intent);
      if (!intent) return handoff('model_bad_response');
      return { kind: 'intent', intent: intent.name, action: intent.action, confidence: parsed.confidence, language };
    },
  };
}
