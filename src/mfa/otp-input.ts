import { Type, type Static } from '@sinclair/typebox';

/**
 * The purpose is shown on a lock screen next to the code, so it is plain text of one line:
 * no control characters (C0, DEL, C1), no line or paragraph separators and no bidirectional
 * controls (U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which could make "Your code for
 * <purpose>" read as something else (the Trojan Source trick, CVE-2021-42574); and at least
 * one character that is not a space.
 */
const PURPOSE_PATTERN = '^(?=.*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]+$';

export const OtpInput = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 256 }),
    purpose: Type.String({ minLength: 1, maxLength: 64, pattern: PURPOSE_PATTERN, description: 'Shown with the code: "Your code for <purpose>: 123456"; one line of plain text' }),
    length: Type.Optional(Type.Integer({ minimum: 6, maximum: 8, description: 'Digits of the code; default 6' })),
  },
  { additionalProperties: false },
);
export type OtpInput = Static<typeof OtpInput>;

export const OtpVerifyInput = Type.Object({ code: Type.String({ pattern: '^[0-9]{6,8}$', description: 'The digits the user typed' }) }, { additionalProperties: false });
export type OtpVerifyInput = Static<typeof OtpVerifyInput>;
