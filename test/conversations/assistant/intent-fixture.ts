/** What the intent tests share: the test set's knowledge base with its intents pointed at a loopback receiver, and reading a thread back. */
import assert from 'node:assert/strict';
import type { StoreKind, TestCarillon } from '../../support/carillon.ts';
import { startPushSink, type PushSink } from '../../support/push-sink.ts';
import { startReceiver, startWebhookCarillon, type Answer, type Receiver } from '../../webhooks/harness.ts';
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

/** What an intent test runs against: Carillon, the app's server (a TLS receiver on the intents' origin), a push sink, and the app. */
export interface IntentSetup {
  c: TestCarillon;
  rx: Receiver;
  sink: PushSink;
  app: TestApp;
  /** The secret of the app's endpoint on the receiver's origin, which signs the intents' requests too. */
  secret: string;
  stop(): Promise<void>;
}

/**
 * Carillon on `kind` with an app whose webhook endpoint (conversation.message) is the
 * receiver, and whose knowledge base has the test set's intents pointed at it.
 */
export async function startIntentSetup(kind: StoreKind, config: Parameters<typeof startWebhookCarillon>[1] = {}): Promise<IntentSetup> {
  const c = await startWebhookCarillon(kind, config);
  const rx = await startReceiver({ tls: true });
  const sink = await startPushSink();
  const app = await c.createApp();
  const hook = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  const kb = await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: intentKnowledgeBase(new URL(rx.url).origin) });
  assert.equal(kb.status, 200, JSON.stringify(kb.body));
  const stop = async () => {
    await c.stop();
    await rx.close();
    await sink.close();
  };
  return { c, rx, sink, app, secret: hook.body.secret, stop };
}
