import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Bytes of an answer's body kept per attempt: enough for a receiver's error message, little enough for 1,000 messages a page. */
export const RESPONSE_EXCERPT_BYTES = 512;

/** One attempt of a message, as the delivery log shows it. */
export interface AttemptView {
  /** 1, 2, ...: counted across replays. */
  attempt: number;
  /** The replay it belongs to: 0 for the first round. */
  replay: number;
  at: string;
  /** HTTP status; null when no answer came (`error` says why). */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** The start of the answer's body, at most RESPONSE_EXCERPT_BYTES of UTF-8; null when none came or it was empty. */
  response: string | null;
  /** When the next attempt was due after this one; null when none followed. */
  nextAttemptAt: string | null;
  /** A `conversation.message` answered in the body: what became of the answer (docs/webhooks.md#answering-in-the-response); absent otherwise. */
  answer?: { outcome: string; seq?: number; reason?: string };
}

/**
 * The part of an answer's body the delivery log keeps: at most RESPONSE_EXCERPT_BYTES of
 * UTF-8, cut at a character's boundary, without NUL (which PostgreSQL's text refuses; a
 * receiver's bytes must not make the attempt's record fail). Null for an empty body.
 *
 * @example responseExcerpt('{"error":"busy"}') // '{"error":"busy"}'
 */
export function responseExcerpt(body: string): string | null {
  const clean = body.replace(/\u0000/g, '\uFFFD');
  if (clean === '') return null;
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= RESPONSE_EXCERPT_BYTES) return clean;
  let end = RESPONSE_EXCERPT_BYTES;
  // Back off continuation bytes (10xxxxxx) to the start of the character they belong to.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Every attempt of these messages, oldest first per message. */
export async function attemptsOf(db: Kysely<Database>, messageIds: readonly string[]): Promise<Map<string, AttemptView[]>> {
  const out = new Map<string, AttemptView[]>(messageIds.map((id) => [id, []]));
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('message_id', 'in', messageIds.slice(i, i + 500))
      .orderBy('message_id')
      .orderBy('attempt')
      .execute();
    for (const r of rows) {
      out.get(r.message_id)?.push({
        attempt: r.attempt,
        replay: r.replay,
        at: iso(r.attempted_at)!,
        status: r.status,
        error: r.error,
        durationMs: r.duration_ms,
        response: r.response,
        nextAttemptAt: iso(r.next_attempt_at),
        ...(r.answer ? { answer: JSON.parse(r.answer) as NonNullable<AttemptView['answer']> } : {}),
      });
    }
  }
  return out;
}
