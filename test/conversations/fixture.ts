import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withUserProof, type TestCarillon } from '../support/carillon.ts';
import type { PushSink, ReceivedPush } from '../support/push-sink.ts';
import { eventually } from '../support/eventually.ts';

export type TestApp = Awaited<ReturnType<TestCarillon['createApp']>>;

/** A browser subscribed to the loopback push service, for `userId`. */
export async function subscribe(c: TestCarillon, sink: PushSink, app: TestApp, userId?: string): Promise<{ id: string; sinkId: string }> {
  const s = sink.subscribe();
  const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...(userId ? { userId } : {}) }) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, sinkId: s.id };
}

/** Sends a notification that can be answered to the subscriptions given. */
export async function sendAnswerable(c: TestCarillon, app: TestApp, subscriptionIds: string[], assistant: 'builtin' | 'webhook', extra: Record<string, unknown> = {}) {
  const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
    key: app.secretKey,
    body: { to: { subscriptionIds }, title: 'Your parcel ships today', body: 'Questions? Reply here.', reply: { placeholder: 'Ask us anything', assistant }, ...extra },
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.id as string;
}

/** The pushes a sink subscription received, in order, as their Declarative Web Push JSON. */
export function pushesTo(sink: PushSink, sinkId: string): any[] {
  return sink.received.filter((r: ReceivedPush) => r.subscriptionId === sinkId).map((r) => r.json);
}

/** Waits (bounded) until the subscription has received `n` pushes, and returns the last. */
export async function nthPush(sink: PushSink, sinkId: string, n: number, timeoutMs = 15_000): Promise<any> {
  return eventually(() => {
    const pushes = pushesTo(sink, sinkId);
    assert.ok(pushes.length >= n, `${pushes.length} pushes of ${n}`);
    return pushes[n - 1];
  }, timeoutMs);
}

/** POST /v1/reply as a device does, from `address`. */
export async function postReply(c: TestCarillon, body: { token: string; text: string; clientId?: string }, address = '198.51.100.10') {
  const res = await c.app.inject({ method: 'POST', url: '/v1/reply', remoteAddress: address, payload: { clientId: randomUUID(), ...body } });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}
