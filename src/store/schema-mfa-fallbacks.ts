/** The tables of the push sign-in fallbacks (migration 033, src/mfa/, docs/mfa.md#fallbacks); part of `Database` in schema.ts. */

/** A user's TOTP authenticator (RFC 6238); the secret sealed with the master key, never in clear. */
export interface MfaTotpTable {
  app_id: string;
  user_id: string;
  /** The base32 secret, sealed (src/crypto/secret-box.ts). */
  secret: string;
  /** null until a first code confirms it; an unconfirmed one verifies nothing. */
  confirmed_at: number | null;
  /** The RFC 6238 time step last accepted: a code of it or an earlier step is refused. */
  last_step: number | null;
  created_at: number;
}

/** One recovery code of a user, as its SHA-256 (src/mfa/recovery.ts says why no slow hash). */
export interface MfaRecoveryCodesTable {
  /** mfr_... */
  id: string;
  app_id: string;
  user_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}
