import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import type { PushSink, ReceivedPush } from '../support/push-sink.ts';
import type { TestApp } from './fixture.ts';

/** Whom each code was sent to: a verify names the user, as the customer's server does. */
const sentTo = new Map<string, string>();

export async function sendOtp(c: TestCarillon, app: TestApp, userId: string, purpose = 'sign in to Example Bank', extra: Record<string, unknown> = {}) {
  const res = await c.api('POST', `/v1/apps/${app.id}/mfa/otp`, { key: app.secretKey, body: { userId, purpose, ...extra } });
  if (typeof res.body?.otpId === 'string') sentTo.set(res.body.otpId, userId);
  return res;
}

export async function verifyOtp(c: TestCarillon, app: TestApp, otpId: string, code: string, userId = sentTo.get(otpId) ?? 'nobody') {
  return c.api('POST', `/v1/apps/${app.id}/mfa/otp/${otpId}/verify`, { key: app.secretKey, body: { userId, code } });
}

/** The push that carried an OTP, as the device decrypted it (a real loopback push). */
export async function otpPush(sink: PushSink, otpId: string): Promise<ReceivedPush & { json: any }> {
  return eventually(() => {
    const got = sink.received.find((r) => (r.json as any)?.notification?.data?.otpId === otpId);
    assert.ok(got, JSON.stringify(sink.received.map((r) => r.json)));
    return got as ReceivedPush & { json: any };
  }, 10_000);
}

/** The code the device was pushed. */
export const pushedCode = async (sink: PushSink, otpId: string): Promise<string> => (await otpPush(sink, otpId)).json.notification.data.code as string;

/** Another code of the same length. */
export const otherCode = (code: string) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
