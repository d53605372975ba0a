/** Tables of the operators (migration 018, src/operators/). Times are unix ms. */

export const OPERATOR_ROLES = ['viewer', 'editor', 'owner'] as const;
/** An operator's role on one app, weakest first (docs/dashboard.md has what each may do). */
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface OperatorsTable {
  id: string;
  /** Lower case, as typed otherwise. */
  email: string;
  /** `scrypt$<N>$<r>$<p>$<salt>$<hash>` (src/operators/password.ts). */
  password_hash: string;
  /** 1: an installation administrator, who may do what the admin key may. */
  admin: number;
  /** The TOTP secret, sealed (src/crypto/secret-box.ts); null without a second factor. */
  totp_secret: string | null;
  /** A secret being enrolled, sealed, until a code made with it confirms it. */
  totp_pending: string | null;
  /** The last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
  totp_last_step: number | null;
  created_at: number;
}

export interface OperatorSessionsTable {
  /** SHA-256 (base64url) of the cookie's token; the token is never stored. */
  token_hash: string;
  operator_id: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute end, whatever the activity. */
  expires_at: number;
}

export interface OperatorMembershipsTable {
  operator_id: string;
  app_id: string;
  role: OperatorRole;
  created_at: number;
}

export interface OperatorSetupTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
}
