/**
 * Section 14's login server: sign-ins run as a closed loop of `concurrency` at once, each
 * for a user with no sign-in in flight (one pending challenge per user). A sign-in POSTs
 * a challenge, hands its code to the user's device (the user reading the login screen),
 * then long-polls GET .../mfa/challenges/{id}?wait= until it is no longer pending (the API
 * process that commits the answer wakes the poll); a login server that takes the webhook
 * instead sees the same commit.
 * The devices (bench/children/mfa-devices.ts) report when the push arrived and when
 * their answer was taken; the store gives the server-side steps in between.
 */
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Dispatcher } from 'undici';
import { CONTEXT } from '../../test/mfa/fixture.ts';
import type { Child } from '../lib/child.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { quantile } from '../lib/stats.ts';

/** s a long poll of a challenge by the login server waits (GET …/mfa/challenges/{id}?wait=): the API's longest. */
export const WAIT_S = 30;
/** ms a sign-in may take before it is counted as lost. */
const LOGIN_TIMEOUT_MS = 30_000;

export type Phase = 'warm' | 'idle' | 'crowd';

export interface Login {
  k: number;
  userId: string;
  phase: Phase;
  /** Wall clock (ms since the epoch, sub-ms) of the challenge POST. */
  t0: number;
  /** The POST's 201 received. */
  createdAt?: number;
  challengeId?: string;
  /** The login server's first GET that was no longer pending, and what it said. */
  seenAt?: number;
  status?: string;
  polls: number;
  error?: string;
  // From the device: the push decrypted, the details read, the answer posted and answered.
  pushAt?: number;
  detailsAt?: number;
  answerFrom?: number;
  answeredAt?: number;
  // From the store (server clock): the challenge row, its notification row, its batch (cut in the challenge's own commit since the urgent send is cut when accepted).
  rowAt?: number;
  notificationAt?: number;
  batchAt?: number;
}

export interface Api {
  base: string;
  appId: string;
  secretKey: string;
  dispatcher: Dispatcher;
}

/** Takes the devices' reports into the logins they belong to, whenever they arrive (a push can beat the POST's answer). */
export function listenToDevices(devices: Child, onError: (message: string) => void): (challengeId: string) => Partial<Login> {
  const reports = new Map<string, Partial<Login>>();
  const of = (id: string) => reports.get(id) ?? reports.set(id, {}).get(id)!;
  devices.on('push', (m) => (of(String(m.challengeId)).pushAt = Number(m.t)));
  devices.on('answered', (m) => Object.assign(of(String(m.challengeId)), { detailsAt: Number(m.detailsAt), answerFrom: Number(m.answerFrom), answeredAt: Number(m.t) }));
  devices.on('device-error', (m) => onError(String(m.message)));
  return of;
}

/**
 * Runs sign-ins until `count` have started or `keepGoing` says stop, `concurrency` at
 * once, taking users from `free` (first in, first out) and giving each back when its
 * sign-in is over.
 */
export async function runLogins(api: Api, devices: Child, free: string[], logins: Login[], opts: { phase: Phase; count: number; concurrency: number; keepGoing?: () => boolean }): Promise<void> {
  let started = 0;
  const one = async (userId: string) => {
    const login: Login = { k: logins.length, userId, phase: opts.phase, t0: wallNow(), polls: 0 };
    logins.push(login);
    await signIn(login).catch((err: Error) => (login.error = err.message));
  };
  const signIn = async (login: Login) => {
    const { userId } = login;
    const res = await callApi(api.base, 'POST', `/v1/apps/${api.appId}/mfa/challenges`, api.secretKey, { userId, context: CONTEXT }, api.dispatcher);
    login.createdAt = wallNow();
    if (res.status !== 201) throw new Error(`challenge: ${res.status} ${JSON.stringify(res.body)}`);
    const challengeId = String(res.body.challengeId);
    login.challengeId = challengeId;
    devices.send({ type: 'code', challengeId, code: res.body.code });
    for (;;) {
      // A long poll: answered as soon as the device's answer commits (or at the end of the wait, still pending).
      const got = await callApi(api.base, 'GET', `/v1/apps/${api.appId}/mfa/challenges/${challengeId}?wait=${WAIT_S}`, api.secretKey, undefined, api.dispatcher);
      login.polls++;
      if (got.status !== 200) throw new Error(`challenge status: ${got.status} ${JSON.stringify(got.body)}`);
      if (got.body.status !== 'pending') {
        login.seenAt = wallNow();
        login.status = String(got.body.status);
        return;
      }
      if (wallNow() - login.t0 > LOGIN_TIMEOUT_MS) throw new Error(`still pending after ${LOGIN_TIMEOUT_MS / 1000} s`);
    }
  };
  const worker = async () => {
    while (started < opts.count && (opts.keepGoing?.() ?? true)) {
      const userId = free.shift();
      if (userId === undefined) throw new Error('no user without a sign-in in flight: more users than concurrent sign-ins are needed');
      started++;
      await one(userId);
      free.push(userId);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
}

/** The logins' server-side timestamps, read from the stopped server's store. */
export function readStoreTimes(dataDir: string, logins: Login[]): void {
  const db = new SQLite(join(dataDir, 'carillon.db'), { readonly: true });
  try {
    const row = db.prepare(
      'select c.created_at as rowAt, n.created_at as notificationAt, min(b.created_at) as batchAt from mfa_challenges c left join notifications n on n.id = c.notification_id left join delivery_batches b on b.notification_id = n.id where c.id = ? group by c.id',
    );
    for (const l of logins) {
      if (!l.challengeId) continue;
      const r = row.get(l.challengeId) as { rowAt: number; notificationAt: number | null; batchAt: number | null } | undefined;
      if (!r) continue;
      l.rowAt = r.rowAt;
      if (r.notificationAt !== null) l.notificationAt = r.notificationAt;
      if (r.batchAt !== null) l.batchAt = r.batchAt;
    }
  } finally {
    db.close();
  }
}

export interface Dist {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export function dist(values: number[]): Dist {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, count: sorted.length };
}

const span = (l: Login, from: keyof Login, to: keyof Login) => {
  const a = l[from];
  const b = l[to];
  return typeof a === 'number' && typeof b === 'number' ? b - a : Number.NaN;
};

/** What a phase's sign-ins show: the round trip, its parts, the throughput. */
export function phaseFigures(logins: Login[]) {
  const done = logins.filter((l) => l.status === 'approved' && l.seenAt !== undefined);
  const lost = logins.length - done.length;
  const first = Math.min(...logins.map((l) => l.t0));
  const last = Math.max(...done.map((l) => l.seenAt!));
  const d = (from: keyof Login, to: keyof Login) => dist(done.map((l) => span(l, from, to)));
  return {
    count: logins.length,
    approved: done.length,
    lost,
    firstError: logins.find((l) => l.error)?.error,
    perSecond: done.length / ((last - first) / 1000),
    /** The login server's view: challenge POST → its long poll answered approved. */
    roundTrip: d('t0', 'seenAt'),
    /** The moment approved is committed, and observable: the device's answer answered. */
    committed: d('t0', 'answeredAt'),
    /** The push alone: challenge POST → the push decrypted at the device. */
    push: d('t0', 'pushAt'),
    stages: {
      /** POST → its 201 (the code hashed, the checks and the row under the user's lock, the push queued). */
      create: d('t0', 'createdAt'),
      /** Server clock: challenge row → notification row (scrypt of the code, the transaction). */
      rowToNotification: d('rowAt', 'notificationAt'),
      /** Server clock: notification row → its batch (0 when the send is cut as it is accepted, as a sign-in push is; a fan-out job's wait otherwise). */
      fanout: d('notificationAt', 'batchAt'),
      /** Batch cut → push decrypted at the device (encryption, the push service, the WebSocket). */
      deliver: d('batchAt', 'pushAt'),
      /** Push → signed details read. */
      details: d('pushAt', 'detailsAt'),
      /** Signed answer posted → answered (the code's scrypt, the transaction). */
      answer: d('answerFrom', 'answeredAt'),
      /** Answer committed → the login server's long poll answers (the wake). */
      pollLag: d('answeredAt', 'seenAt'),
    },
    pollsPerLogin: done.reduce((s, l) => s + l.polls, 0) / Math.max(1, done.length),
  };
}

export type PhaseFigures = ReturnType<typeof phaseFigures>;
