import { Type, type Static } from '@sinclair/typebox';

/**
 * The purpose is shown on a lock screen next to the code, so it is plain text of one line:
 * no control characters (C0, DEL, C1), no line or paragraph separators and no bidirectional
 * controls or invisible characters (U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2069,
 * U+FEFF), which could make "Your code for
 * <purpose>" read as something else (the Trojan Source trick, CVE-2021-42574); and at least
 * one character that is not a space.
 */
const PURPOSE_PATTERN = '^(?=.*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]+$';

export const OtpInput = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 256 }),
    purpose: Type.String({ minLength: 1, maxLength: 64, pattern: PURPOSE_PATTERN, description: 'Shown with the code: "Your code for <purpose>: 123456"; one line of plain text' }),
    length: Type.Optional(Type.Integer({ minimum: 6, maximum: 8, description: 'Digits of the code; default 6' })),
  },
  { additionalProperties: false },
);
export type OtpInput = Static<typeof OtpInput>;

// The user the code was sent to is part of the question: a code sent to one user never signs in another (an
// attacker who swaps the otpId of a code pushed to their own account gets otp_not_found), as TOTP and recovery codes take userId.
export const OtpVerifyInput = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 256, description: 'The user the code was sent to; a code of another user is otp_not_found' }),
    code: Type.String({ pattern: '^[0-9]{6,8}$', description: 'The digits the user typed' }),
  },
  { additionalProperties: false },
);
export type OtpVerifyInput = Static<typeof OtpVerifyInput>;
