/** The tables of push sign-in approval (migration 031, src/mfa/, docs/mfa.md); part of `Database` in schema.ts. */

/** A single-use enrollment token handed to the customer's server; only its SHA-256 is kept. */
export interface MfaEnrollmentsTable {
  /** mfe_... */
  id: string;
  app_id: string;
  user_id: string;
  token_hash: string;
  expires_at: number;
  /** When a device used it; a used token is refused again. */
  used_at: number | null;
  created_at: number;
}

/** An enrolled authenticator: its P-256 public key (never a private one) and the subscription its pushes go to. */
export interface MfaDevicesTable {
  /** mfd_...: the `kid` of every request the device signs. */
  id: string;
  app_id: string;
  user_id: string;
  name: string;
  /** JSON: the public JWK as validated, `{kty, crv, x, y}` only. */
  public_key: string;
  subscription_id: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const MFA_CHALLENGE_STATES = ['pending', 'approved', 'denied', 'expired', 'locked'] as const;
export type MfaChallengeState = (typeof MFA_CHALLENGE_STATES)[number];

/** A sign-in challenge; the code is kept only as a salted scrypt hash. */
export interface MfaChallengesTable {
  /** mfc_... */
  id: string;
  app_id: string;
  user_id: string;
  status: MfaChallengeState;
  /** Why it ended when that is not the answer itself: `superseded`, `timeout`, `fraud`, `failures`. */
  reason: string | null;
  code_hash: string;
  /** JSON: the context shown on the device (ip, location, userAgent, appName, action). */
  context: string;
  /** The notification that carried the push. */
  notification_id: string | null;
  created_at: number;
  expires_at: number;
  answered_at: number | null;
  device_id: string | null;
  /** JSON: the three numbers the device shows in number-matching mode, in their order; null when the code is typed. */
  choices: string | null;
}

/** What the defences keep per user: consecutive failures, the lock, the last success. */
export interface MfaUserStatesTable {
  app_id: string;
  user_id: string;
  /** Consecutive failures across challenges; 0 after a success or a reset. */
  failures: number;
  last_failure_at: number | null;
  last_success_at: number | null;
  /** `failures` or `fraud` while locked; null when not. */
  locked_reason: string | null;
  locked_at: number | null;
  updated_at: number;
}

/** A nonce a device signed, kept until its request's exp has passed, so a replay is refused. */
export interface MfaNoncesTable {
  device_id: string;
  nonce: string;
  expires_at: number;
}

/** An app's limits (docs/mfa.md#settings); no row means the defaults. */
export interface MfaSettingsTable {
  app_id: string;
  /** JSON: the settings given; absent members take the defaults. */
  settings: string;
  updated_at: number;
}

/** One state change, with who and where; never a code, token or key. */
export interface MfaAuditTable {
  /** mfa_... */
  id: string;
  app_id: string;
  user_id: string;
  at: number;
  type: string;
  challenge_id: string | null;
  device_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON array of tags, such as MITRE ATT&CK `T1621` on a fatigue signal. */
  tags: string;
  /** JSON: what explains the record (a reason, a count). */
  details: string;
}
