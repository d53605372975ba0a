import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';
import type { MfaUserStatesTable } from '../store/schema-mfa.ts';
import type { MfaSettings } from './settings.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The defences against guessing and push bombing (docs/mfa.md#defences), per user and
 * across challenges: a new challenge does not reset the failures (SP 800-63B-4 §3.2.2).
 */
export interface UserState {
  failures: number;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
  lockedReason: 'failures' | 'fraud' | null;
}

export async function userState(db: Db, appId: string, userId: string): Promise<UserState> {
  const r = await userStateRow.first(db, { appId, userId });
  return r ? fromRow(r) : { failures: 0, lastFailureAt: null, lastSuccessAt: null, lockedReason: null };
}

const userStateRow = prepared((db, $: { appId: string; userId: string }) => db.selectFrom('mfa_user_states').selectAll().where('app_id', '=', $.appId).where('user_id', '=', $.userId));

const pushesSince = prepared((db, $: { appId: string; userId: string; since: number; limit: number }) =>
  db.selectFrom('mfa_challenges').select('created_at').where('app_id', '=', $.appId).where('user_id', '=', $.userId).where('created_at', '>', $.since).orderBy('created_at', 'desc').limit($.limit),
);

const succeeded = prepared((db, $: { appId: string; userId: string; now: number }) =>
  db.updateTable('mfa_user_states').set({ failures: 0, last_success_at: $.now, updated_at: $.now }).where('app_id', '=', $.appId).where('user_id', '=', $.userId),
);

function fromRow(r: MfaUserStatesTable): UserState {
  return {
    failures: Number(r.failures),
    lastFailureAt: r.last_failure_at === null ? null : Number(r.last_failure_at),
    lastSuccessAt: r.last_success_at === null ? null : Number(r.last_success_at),
    lockedReason: r.locked_reason as UserState['lockedReason'],
  };
}

/** ms since epoch until which a new attempt waits: doubling from backoffBase after backoffAfterFailures failures, at most backoffMax. */
export function backoffUntil(state: UserState, s: MfaSettings): number {
  if (state.failures < s.backoffAfterFailures || state.lastFailureAt === null) return 0;
  const steps = Math.min(30, state.failures - s.backoffAfterFailures);
  return state.lastFailureAt + Math.min(s.backoffMax, s.backoffBase * 2 ** steps) * 1000;
}

/** Throws `sign_in_locked` while the user is locked. */
export function assertNotLocked(state: UserState): void {
  if (state.lockedReason !== null) {
    throw new ApiError('sign_in_locked', state.lockedReason === 'fraud' ? 'The user reported a sign-in request as fraud; push sign-in stays locked until your server resets it' : 'Too many failed sign-ins in a row; push sign-in stays locked until your server resets it', { lockedReason: state.lockedReason });
  }
}

/** Throws `sign_in_backoff` with `retryAfter` (s) while the user waits after failures. */
export function assertNoBackoff(state: UserState, s: MfaSettings, now: number): void {
  const until = backoffUntil(state, s);
  if (until > now) {
    const retryAfter = Math.ceil((until - now) / 1000);
    throw new ApiError('sign_in_backoff', `${state.failures} failed sign-ins in a row; try again in ${retryAfter} s`, { retryAfter });
  }
}

/**
 * Throws `sign_in_push_limit` when the user was pushed pushesPerWindow challenges within
 * pushWindow since their last success (CISA: MFA fatigue; MITRE ATT&CK T1621).
 */
export async function assertPushAllowed(db: Db, appId: string, userId: string, state: UserState, s: MfaSettings, now: number): Promise<void> {
  const since = Math.max(now - s.pushWindow * 1000, state.lastSuccessAt ?? 0);
  const recent = await pushesSince.rows(db, { appId, userId, since, limit: s.pushesPerWindow });
  if (recent.length < s.pushesPerWindow) return;
  // The oldest of the last pushesPerWindow pushes leaves the window first.
  const oldest = Number(recent[recent.length - 1]!.created_at);
  const retryAfter = Math.max(1, Math.ceil((oldest + s.pushWindow * 1000 - now) / 1000));
  throw new ApiError('sign_in_push_limit', `${recent.length} sign-in pushes to this user since their last success; try again in ${retryAfter} s`, { retryAfter, limit: s.pushesPerWindow });
}

async function ensureRow(db: Db, appId: string, userId: string, now: number): Promise<void> {
  await db
    .insertInto('mfa_user_states')
    .values({ app_id: appId, user_id: userId, failures: 0, last_failure_at: null, last_success_at: null, locked_reason: null, locked_at: null, updated_at: now })
    .onConflict((oc) => oc.columns(['app_id', 'user_id']).doNothing())
    .execute();
}

/**
 * Takes the user's row lock for the rest of the transaction (the row made first if need
 * be) and returns the user's state as it stands under it: one upsert whose no-op update
 * locks the row on PostgreSQL, while on SQLite the first write takes the database's write
 * lock. Two challenge creations for one user then check the lock, the backoff and the push
 * cap and insert one after the other, never both on the same count.
 */
export async function lockUserRow(tx: Transaction<Database>, appId: string, userId: string, now: number): Promise<UserState> {
  const row = await lockedUserRow.first(tx, { appId, userId, now });
  if (!row) throw new Error(`the upsert of the sign-in state of ${userId} returned no row`);
  return fromRow(row);
}

const lockedUserRow = prepared((db, $: { appId: string; userId: string; now: number }) =>
  db
    .insertInto('mfa_user_states')
    .values({ app_id: $.appId, user_id: $.userId, failures: 0, last_failure_at: null, last_success_at: null, locked_reason: null, locked_at: null, updated_at: $.now })
    .onConflict((oc) => oc.columns(['app_id', 'user_id']).doUpdateSet((eb) => ({ updated_at: eb.ref('mfa_user_states.updated_at') })))
    .returningAll(),
);

/** Counts a failure (one more in a row) and locks at lockAfterFailures; returns the count and whether it locked. */
export async function recordFailure(db: Db, appId: string, userId: string, s: MfaSettings, now: number): Promise<{ failures: number; locked: boolean }> {
  await ensureRow(db, appId, userId, now);
  const row = await db
    .updateTable('mfa_user_states')
    .set((eb) => ({ failures: eb('failures', '+', 1), last_failure_at: now, updated_at: now }))
    .where('app_id', '=', appId)
    .where('user_id', '=', userId)
    .returning(['failures', 'locked_reason'])
    .executeTakeFirstOrThrow();
  const failures = Number(row.failures);
  if (failures >= s.lockAfterFailures && row.locked_reason === null) {
    await db.updateTable('mfa_user_states').set({ locked_reason: 'failures', locked_at: now }).where('app_id', '=', appId).where('user_id', '=', userId).execute();
    return { failures, locked: true };
  }
  return { failures, locked: false };
}

export async function recordSuccess(db: Db, appId: string, userId: string, now: number): Promise<void> {
  const set = { failures: 0, last_success_at: now, updated_at: now };
  // The row exists for any user who was challenged (lockUserRow made it): made only when the update finds none.
  if ((await succeeded.affected(db, { appId, userId, now })) > 0) return;
  await ensureRow(db, appId, userId, now);
  await db.updateTable('mfa_user_states').set(set).where('app_id', '=', appId).where('user_id', '=', userId).execute();
}

export async function lockForFraud(db: Db, appId: string, userId: string, now: number): Promise<void> {
  await ensureRow(db, appId, userId, now);
  await db.updateTable('mfa_user_states').set({ locked_reason: 'fraud', locked_at: now, updated_at: now }).where('app_id', '=', appId).where('user_id', '=', userId).execute();
}

/** The customer's reset: the lock lifted and the failures forgotten. */
export async function resetUserState(db: Db, appId: string, userId: string, now: number): Promise<void> {
  await ensureRow(db, appId, userId, now);
  await db.updateTable('mfa_user_states').set({ failures: 0, last_failure_at: null, locked_reason: null, locked_at: null, updated_at: now }).where('app_id', '=', appId).where('user_id', '=', userId).execute();
}

export function stateView(userId: string, st: UserState, s: MfaSettings, now: number) {
  const until = backoffUntil(st, s);
  return { userId, failures: st.failures, locked: st.lockedReason !== null, lockedReason: st.lockedReason, backoffUntil: until > now ? new Date(until).toISOString() : null };
}

export type { Context };
