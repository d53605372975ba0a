/** The table of one-time codes by push (migration 035, src/mfa/otp*.ts, docs/mfa.md); part of `Database` in schema.ts. */

/**
 * `pending` until one of: `verified` (the right code, once), `burnt` (its attempts spent),
 * `expired` (past its lifetime), `superseded` (a newer code for the same user and purpose).
 */
export type MfaOtpState = 'pending' | 'verified' | 'burnt' | 'expired' | 'superseded';

export interface MfaOtpsTable {
  /** mfo_... */
  id: string;
  app_id: string;
  user_id: string;
  /** Short text shown with the code ("sign in to Example Bank"). */
  purpose: string;
  /** 6 to 8. */
  digits: number;
  /** HMAC-SHA-256 of the id and code under the master key (src/mfa/otp-code.ts); never the code. */
  code_hash: string;
  status: MfaOtpState;
  /** Verifies spent on this code. */
  attempts: number;
  /** The app's otpAttempts when the code was made. */
  max_attempts: number;
  /** The notification that carried the push. */
  notification_id: string | null;
  created_at: number;
  expires_at: number;
  closed_at: number | null;
}
