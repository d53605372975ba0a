/** What the journey end-to-end tests share: a journey saved and activated, and waiting for the engine. */
import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';

export type App = Awaited<ReturnType<TestCarillon['createApp']>>;

/** Polls until `check` holds (the queue works on real time, the clock is the test's); fails with `what`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function activeJourney(c: TestCarillon, app: App, body: unknown): Promise<string> {
  const created = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const activated = await c.api('POST', `/v1/apps/${app.id}/journeys/${created.body.id}/activate`, { key: app.secretKey });
  assert.equal(activated.status, 200, JSON.stringify(activated.body));
  assert.equal(activated.body.status, 'active');
  return created.body.id as string;
}

export async function track(c: TestCarillon, app: App, userId: string, name: string, properties: Record<string, unknown> = {}, at?: number): Promise<void> {
  const res = await c.api('POST', `/v1/apps/${app.id}/track`, { key: app.secretKey, body: { events: [{ userId, name, properties, ...(at !== undefined ? { time: new Date(at).toISOString() } : {}) }] } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.accepted, 1, JSON.stringify(res.body));
}

export async function runsOf(c: TestCarillon, app: App, journeyId: string, userId?: string): Promise<any[]> {
  const res = await c.api('GET', `/v1/apps/${app.id}/journeys/${journeyId}/runs${userId ? `?userId=${encodeURIComponent(userId)}` : ''}`, { key: app.secretKey });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data;
}

/** The titles of the notifications a sink subscription received, in order. */
export function titles(received: { json: unknown }[]): string[] {
  return received.map((r) => (r.json as { notification?: { title?: string } })?.notification?.title ?? '?');
}
