/**
 * The Carillon routes the authenticator calls, on the origin that serves it: enrolling
 * (with the token), reading a challenge's context and answering it (signed by the device).
 */
import { signRequest, type StoredDevice } from './device.ts';

export interface ChallengeContext {
  ip: string;
  location?: string;
  userAgent?: string;
  appName?: string;
  action?: string;
}

export interface ChallengeDetails {
  challengeId: string;
  context: ChallengeContext;
  createdAt: string;
  expiresAt: string;
  /** `code`: the user types the code; `numberMatching` (the app's weaker opt-in mode): the user taps one of `numbers`. */
  answerMode: 'code' | 'numberMatching';
  numbers?: string[];
}

export interface ChallengeResult {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'locked';
  reason: string | null;
  failures?: number;
}

/** An RFC 9457 problem the server answered with. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : code);
  }
}

export async function call<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Problem(res.status, typeof json.code === 'string' ? json.code : `http_${res.status}`, json);
  return json as T;
}

const challengePath = (appId: string, challengeId: string) => `/v1/apps/${encodeURIComponent(appId)}/mfa/challenges/${encodeURIComponent(challengeId)}`;

export async function fetchDetails(device: StoredDevice, challengeId: string): Promise<ChallengeDetails> {
  const request = await signRequest(device, { challengeId, purpose: 'details' });
  return call<ChallengeDetails>(`${challengePath(device.appId, challengeId)}/details`, { request });
}

export type Decision = 'approve' | 'deny' | 'fraud';

export async function sendAnswer(device: StoredDevice, challengeId: string, decision: Decision, code?: string): Promise<ChallengeResult> {
  const answer = await signRequest(device, { challengeId, purpose: 'answer', decision, ...(code !== undefined ? { code } : {}) });
  return call<ChallengeResult>(`${challengePath(device.appId, challengeId)}/answer`, { answer });
}

/** What the notification and the page say of a sign-in: who is asking, from where. */
export function describe(ctx: ChallengeContext): { title: string; body: string } {
  const what = ctx.action ?? 'Sign in';
  const app = ctx.appName ?? 'an app';
  const where = ctx.location ? `${ctx.location} (${ctx.ip})` : ctx.ip;
  return { title: `${what}: ${app}`, body: `From ${where}${ctx.userAgent ? `, ${ctx.userAgent}` : ''}` };
}
