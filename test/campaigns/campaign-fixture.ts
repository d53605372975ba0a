/** What the campaign end-to-end tests share: users with a device each, and waiting for the queue. */
import assert from 'node:assert/strict';
import { withUserProof, type TestCarillon } from '../support/carillon.ts';
import type { PushSink } from '../support/push-sink.ts';

type App = Awaited<ReturnType<TestCarillon['createApp']>>;

/**
 * A user with one browser subscribed at the sink (registered with the publishable key and
 * the user's proof, as a site would) and the user's fields set with the secret key.
 * Returns the sink subscription's id, which the sink's records name.
 */
export async function userWithDevice(c: TestCarillon, sink: PushSink, app: App, userId: string, user: Record<string, unknown>): Promise<string> {
  const s = sink.subscribe();
  const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId }) });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const res = await c.api('PUT', `/v1/apps/${app.id}/users/${userId}`, { key: app.secretKey, body: user });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return s.id;
}

/** Until the queue holds nothing due: the jobs the clock made due have run (and done what they do, or nothing). */
export async function drained(c: TestCarillon): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const d = await c.ctx.queue.depth();
    if (d.waiting === 0 && d.active === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the queue did not drain');
}
