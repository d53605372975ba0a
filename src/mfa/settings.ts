import { Type, type Static } from '@sinclair/typebox';
import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';
import { ApiError } from '../errors/api-error.ts';
import { requireKnownApp } from './known-app.ts';
import { ANSWER_MODES, type AnswerMode } from './number-matching.ts';

/**
 * An app's push sign-in limits (docs/mfa.md#settings). Each default sits inside NIST SP
 * 800-63B-4's bounds, and each bound is the most a bank may loosen it to:
 * - §3.1.3 / §3.2.2: an out-of-band secret is valid for at most 10 minutes;
 * - §3.2.2: at most 100 consecutive failed attempts before the authenticator is locked;
 * - the fatigue cap follows CISA's advice on push bombing (MITRE ATT&CK T1621).
 */
export const MFA_DEFAULTS = {
  /** s; how long a challenge's code is valid. Two minutes: enough to read a code off a screen. */
  challengeLifetime: 120,
  /** s; how long an enrollment token is valid. Ten minutes, NIST's bound for an out-of-band secret. */
  enrollmentLifetime: 600,
  /** failures in a row (across challenges) that lock push sign-in until the app resets it. */
  lockAfterFailures: 10,
  /** failures in a row after which each attempt waits (the backoff). */
  backoffAfterFailures: 3,
  /** s; the first wait; it doubles with each further failure. */
  backoffBase: 30,
  /** s; the longest wait. */
  backoffMax: 900,
  /** pushes to a user since their last success within pushWindow; beyond, challenges are refused. */
  pushesPerWindow: 5,
  /** s; the window of pushesPerWindow. */
  pushWindow: 900,
  /** s; how long a one-time code by push is valid. Five minutes: time to read it off a notification and type it. */
  otpLifetime: 300,
  /** verifies of one one-time code, right or wrong; the code is burnt once they are spent. */
  otpAttempts: 5,
  /** one-time code pushes to a user since their last success within pushWindow; beyond, new codes are refused. */
  otpPushesPerWindow: 5,
  /** How the user answers: typing the code (SP 800-63B-4 §3.1.3); number matching is an opt-in weaker mode (src/mfa/number-matching.ts). */
  answerMode: 'code' as AnswerMode,
} as const;

/** Each limit is a number; answerMode is the one setting that is not. */
export type MfaSettings = { -readonly [K in keyof typeof MFA_DEFAULTS]: (typeof MFA_DEFAULTS)[K] extends number ? number : (typeof MFA_DEFAULTS)[K] };

const AnswerModeSchema = Type.Union(ANSWER_MODES.map((m) => Type.Literal(m)), {
  description: 'code (default): the user types the code shown on the login screen; numberMatching: a weaker opt-in mode, the device shows three numbers and the user picks one (docs/mfa.md#number-matching)',
});

const s = (minimum: number, maximum: number, description: string) => Type.Optional(Type.Integer({ minimum, maximum, description }));

/** What PUT .../mfa/settings takes: absent members take their defaults. */
export const MfaSettingsInput = Type.Object(
  {
    challengeLifetime: s(30, 600, 's; default 120; at most 10 minutes (SP 800-63B-4 §3.1.3)'),
    enrollmentLifetime: s(60, 600, 's; default 600; at most 10 minutes'),
    lockAfterFailures: s(1, 100, 'default 10; at most 100 (SP 800-63B-4 §3.2.2)'),
    backoffAfterFailures: s(1, 100, 'default 3'),
    backoffBase: s(1, 3600, 's; default 30'),
    backoffMax: s(1, 86_400, 's; default 900'),
    pushesPerWindow: s(1, 100, 'default 5'),
    pushWindow: s(60, 86_400, 's; default 900'),
    otpLifetime: s(30, 600, 's; default 300; at most 10 minutes (SP 800-63B-4 §3.1.3)'),
    otpAttempts: s(1, 10, 'default 5; the code is burnt once they are spent (SP 800-63B-4 §3.2.2)'),
    otpPushesPerWindow: s(1, 100, 'default 5; within pushWindow'),
    answerMode: Type.Optional(AnswerModeSchema),
  },
  { additionalProperties: false },
);
export type MfaSettingsInput = Static<typeof MfaSettingsInput>;

export const MfaSettingsView = Type.Object(Object.fromEntries(Object.entries(MFA_DEFAULTS).map(([k, v]) => [k, typeof v === 'number' ? Type.Integer() : AnswerModeSchema])) as Record<keyof MfaSettings, ReturnType<typeof Type.Integer> | typeof AnswerModeSchema>);

const settingsRow = prepared((db, $: { appId: string }) => db.selectFrom('mfa_settings').select('settings').where('app_id', '=', $.appId));

const appSettingsRow = prepared((db, $: { appId: string }) => db.selectFrom('apps').leftJoin('mfa_settings', 'mfa_settings.app_id', 'apps.id').select('mfa_settings.settings').where('apps.id', '=', $.appId));

/** The app's settings, defaults filled in; read through `db` when given (inside a transaction: on SQLite the store is one connection). */
export async function mfaSettings(ctx: Context, appId: string, db: Kysely<Database> | Transaction<Database> = ctx.store.db): Promise<MfaSettings> {
  const row = await settingsRow.first(db, { appId });
  return { ...MFA_DEFAULTS, ...(row ? (JSON.parse(row.settings) as MfaSettingsInput) : {}) };
}

/**
 * The app's settings, refusing an unknown app (app_not_found), in one read: what a sign-in
 * write needs first (requireKnownApp and mfaSettings together).
 */
export async function knownAppSettings(ctx: Context, appId: string): Promise<MfaSettings> {
  const row = await appSettingsRow.first(ctx.store.db, { appId });
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return { ...MFA_DEFAULTS, ...(row.settings ? (JSON.parse(row.settings) as MfaSettingsInput) : {}) };
}

export async function putMfaSettings(ctx: Context, appId: string, input: MfaSettingsInput): Promise<MfaSettings> {
  await requireKnownApp(ctx.store.db, appId);
  const now = ctx.now();
  const settings = JSON.stringify(input);
  await ctx.store.db
    .insertInto('mfa_settings')
    .values({ app_id: appId, settings, updated_at: now })
    .onConflict((oc) => oc.column('app_id').doUpdateSet({ settings, updated_at: now }))
    .execute();
  return { ...MFA_DEFAULTS, ...input };
}
