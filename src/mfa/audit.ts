import type { Insertable, Kysely, Transaction } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import { columnsOf, prepared } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import type { MfaAuditTable } from '../store/schema-mfa.ts';

/** What the audit records (docs/mfa.md#audit). */
export const AUDIT_TYPES = [
  'enrollment_started',
  'device_enrolled',
  'device_revoked',
  'challenge_created',
  'challenge_superseded',
  'challenge_pushed',
  'challenge_viewed',
  'approved',
  'denied',
  'failed',
  'fraud_reported',
  'expired',
  'rate_limited',
  'backoff',
  'locked',
  'lock_reset',
  'totp_started',
  'totp_confirmed',
  'totp_verified',
  'totp_failed',
  'totp_removed',
  'recovery_codes_generated',
  'recovery_code_used',
  'recovery_code_failed',
  'otp_created',
  'otp_pushed',
  'otp_verified',
  'otp_failed',
  'otp_expired',
  'otp_superseded',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

/**
 * MITRE ATT&CK T1621 (Multi-Factor Authentication Request Generation): the records that
 * are signs of push bombing, so a security team can search for them.
 */
const FATIGUE: ReadonlySet<AuditType> = new Set(['challenge_superseded', 'denied', 'failed', 'fraud_reported', 'rate_limited', 'backoff', 'locked']);

/** Where a request came from: the login's context for a challenge, the device's request for an answer. */
export interface Origin {
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEntry extends Origin {
  type: AuditType;
  userId: string;
  challengeId?: string | null;
  deviceId?: string | null;
  /** Never a code, token or key: counts, reasons, states. */
  details?: Record<string, unknown>;
}

type AuditRow = Insertable<MfaAuditTable>;

const AUDIT_COLUMNS = ['id', 'app_id', 'user_id', 'at', 'type', 'challenge_id', 'device_id', 'ip', 'user_agent', 'tags', 'details'] as const;
const auditRow = prepared((db, $: AuditRow) => db.insertInto('mfa_audit').values(columnsOf($, AUDIT_COLUMNS)));

/** Writes one record, or several (the records of one change), each by the same prepared statement. */
export async function audit(db: Kysely<Database> | Transaction<Database>, appId: string, entries: AuditEntry | AuditEntry[], now: number): Promise<void> {
  for (const e of Array.isArray(entries) ? entries : [entries]) {
    await auditRow.affected(db, {
      id: newId('mfa'),
      app_id: appId,
      user_id: e.userId,
      at: now,
      type: e.type,
      challenge_id: e.challengeId ?? null,
      device_id: e.deviceId ?? null,
      ip: e.ip?.slice(0, 64) ?? null,
      user_agent: e.userAgent?.slice(0, 512) ?? null,
      tags: JSON.stringify(FATIGUE.has(e.type) ? ['T1621'] : []),
      details: JSON.stringify(e.details ?? {}),
    });
  }
}

export interface AuditView {
  id: string;
  at: string;
  type: string;
  userId: string;
  challengeId: string | null;
  deviceId: string | null;
  ip: string | null;
  userAgent: string | null;
  tags: string[];
  details: Record<string, unknown>;
}

/** A user's audit, newest first. */
export async function listAudit(db: Kysely<Database>, appId: string, userId: string, limit: number): Promise<AuditView[]> {
  const rows = await db.selectFrom('mfa_audit').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(Number(r.at)).toISOString(),
    type: r.type,
    userId: r.user_id,
    challengeId: r.challenge_id,
    deviceId: r.device_id,
    ip: r.ip,
    userAgent: r.user_agent,
    tags: JSON.parse(r.tags) as string[],
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}
