/** What the intent tests share: the test set's knowledge base with its intents pointed at a loopback receiver, and reading a thread back. */
import type { TestCarillon } from '../../support/carillon.ts';
import type { Answer } from '../../webhooks/harness.ts';
import type { TestApp } from '../fixture.ts';
import { DELIVERY_KB } from './delivery-knowledge-base.ts';

/** DELIVERY_KB whose `track_order` posts to `<origin>/track` and whose slots come from `<origin>/slots`. */
export function intentKnowledgeBase(origin: string): typeof DELIVERY_KB {
  return {
    ...DELIVERY_KB,
    intents: (DELIVERY_KB.intents ?? []).map((i) => {
      if ('webhook' in i.action) return { ...i, action: { webhook: `${origin}/track` } };
      return { ...i, action: { offerSlots: { ...i.action.offerSlots, url: `${origin}/slots` } } };
    }),
  };
}

/** A JSON answer from the receiver. */
export function json(status: number, body: unknown): Answer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The thread's messages as [seq, author, text], through the API. */
export async function messagesOf(c: TestCarillon, app: TestApp, conversationId: string): Promise<[number, string, string][]> {
  const res = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
  if (res.status !== 200) throw new Error(`GET conversation: ${res.status}`);
  return res.body.messages.map((m: any) => [m.seq, m.author, m.text]);
}

/** The thread's state (through the API) and why it was handed to a person (the stored reason). */
export async function handoffOf(c: TestCarillon, app: TestApp, conversationId: string): Promise<{ state: string; reason: string | null }> {
  const res = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
  const row = await c.ctx.store.db.selectFrom('conversations').select('handoff_reason').where('id', '=', conversationId).executeTakeFirstOrThrow();
  return { state: res.body.state, reason: row.handoff_reason };
}
