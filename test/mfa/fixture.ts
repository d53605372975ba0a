import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';
import type { PushSink } from '../support/push-sink.ts';
import { newDevice, nonce, type TestDevice } from './device.ts';

export type TestApp = Awaited<ReturnType<TestCarillon['createApp']>>;

/** Enrolls a new device of `userId` on a fresh loopback push subscription. */
export async function enroll(c: TestCarillon, sink: PushSink, app: TestApp, userId: string, name = 'Phone'): Promise<TestDevice & { subscriptionId: string; sinkId: string }> {
  const e = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId } });
  assert.equal(e.status, 201, JSON.stringify(e.body));
  const device = await newDevice();
  const s = sink.subscribe();
  const res = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { token: e.body.token, publicKey: device.publicJwk, name, subscription: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  device.id = res.body.id;
  return Object.assign(device, { subscriptionId: res.body.subscriptionId as string, sinkId: s.id });
}

export const CONTEXT = { ip: '203.0.113.7', location: 'Lyon, France', userAgent: 'Firefox 140 on Linux', appName: 'Example Bank', action: 'Sign in' };

export async function challenge(c: TestCarillon, app: TestApp, userId: string) {
  return c.api('POST', `/v1/apps/${app.id}/mfa/challenges`, { key: app.secretKey, body: { userId, context: CONTEXT } });
}

/** The device's signed answer, valid for a minute from `nowMs`. */
export async function answer(c: TestCarillon, app: TestApp, device: TestDevice, challengeId: string, decision: string, code: string | undefined, nowMs: number, extra: Record<string, unknown> = {}) {
  const jws = await device.sign({ challengeId, nonce: nonce(), purpose: 'answer', decision, ...(code !== undefined ? { code } : {}), exp: Math.floor(nowMs / 1000) + 60, ...extra });
  return { jws, res: await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: jws } }) };
}

export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
