/**
 * One-time codes by push (docs/mfa.md#one-time-codes-by-push). Unlike a sign-in request, the
 * push carries the code itself: the worker shows it in a notification ("Your code for
 * <purpose>: 123456") and hands it to an open page, which shows it until it expires. Nothing
 * is signed or sent back: the user types the code where it was asked for.
 */
export interface PushedOtp {
  otpId: string;
  appId: string;
  purpose: string;
  code: string;
  expiresAt: string;
}

/** The OTP in a push's data, or undefined if it is not a well-formed one (a closed code's push has no `code`). */
export function pushedOtp(data: Record<string, unknown> | undefined): PushedOtp | undefined {
  if (data?.mfa !== 'otp') return undefined;
  const { otpId, appId, purpose, code, expiresAt } = data;
  if (typeof otpId !== 'string' || typeof appId !== 'string' || typeof purpose !== 'string' || typeof expiresAt !== 'string') return undefined;
  if (typeof code !== 'string' || !/^[0-9]{6,8}$/.test(code)) return undefined;
  return { otpId, appId, purpose, code, expiresAt };
}

export const otpText = (otp: Pick<PushedOtp, 'purpose' | 'code'>) => `Your code for ${otp.purpose}: ${otp.code}`;

/** What the worker posts to open pages. */
export const OTP_MESSAGE = 'carillon-otp';
