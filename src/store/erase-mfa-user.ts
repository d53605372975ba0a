import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';

export interface ErasedMfa {
  /** Devices, their spent nonces, enrollments, challenges, the defences' state, TOTP, recovery codes and one-time codes. */
  rows: number;
  /** Audit records kept for the app's security history, the user id replaced and the address and browser cleared. */
  auditUnlinked: number;
}

const n = (res: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) => Number(res.numDeletedRows ?? res.numUpdatedRows ?? 0n);

const TABLES = ['mfa_devices', 'mfa_enrollments', 'mfa_challenges', 'mfa_user_states', 'mfa_totp', 'mfa_recovery_codes', 'mfa_otps'] as const;

/**
 * Whether push sign-in keeps anything of the user (a row of theirs, or an audit record
 * naming them): a user known to MFA only, with no users row and no subscription of their
 * own (a TOTP authenticator, an enrollment not yet used, a revoked device's audit), is a user
 * the erasure must find all the same.
 */
export async function hasMfaUser(tx: Transaction<Database>, appId: string, userId: string): Promise<boolean> {
  for (const table of [...TABLES, 'mfa_audit'] as const) {
    const row = await tx.selectFrom(table as 'mfa_totp').select('app_id').where('app_id', '=', appId).where('user_id', '=', userId).limit(1).executeTakeFirst();
    if (row) return true;
  }
  return false;
}

/**
 * The user's push sign-in data, erased in the caller's transaction (the user erasure,
 * GDPR Art. 17): every row that is the user's goes, and the audit is kept the way the
 * erasure keeps engagement reports, unlinked: the user id replaced by one random stand-in
 * (the records still read as one person's history, of nobody known), the IP address and
 * user agent cleared. The details never held a secret or a code.
 */
export async function eraseMfaUser(tx: Transaction<Database>, appId: string, userId: string): Promise<ErasedMfa> {
  const devices = tx.selectFrom('mfa_devices').select('id').where('app_id', '=', appId).where('user_id', '=', userId);
  let rows = n(await tx.deleteFrom('mfa_nonces').where('device_id', 'in', devices).executeTakeFirst());
  // A one-time code by push keeps its code in its notification while it lives (src/mfa/otp-push.ts): that goes too.
  const otpNotes = tx.selectFrom('mfa_otps').select('notification_id').where('app_id', '=', appId).where('user_id', '=', userId).where('notification_id', 'is not', null);
  await tx.updateTable('notifications').set({ content: JSON.stringify({ title: 'One-time code', body: 'No longer valid' }) }).where('app_id', '=', appId).where('id', 'in', otpNotes as never).execute();
  // Each table has app_id and user_id; the cast only tells Kysely so for the union of them.
  for (const table of TABLES) {
    rows += n(await tx.deleteFrom(table as 'mfa_totp').where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst());
  }
  const stand = `erased_${randomBytes(12).toString('base64url')}`;
  const auditUnlinked = n(await tx.updateTable('mfa_audit').set({ user_id: stand, ip: null, user_agent: null }).where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst());
  return { rows, auditUnlinked };
}
