import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';

/** Schemas of the one-time code routes (mfa-otp.ts, docs/mfa.md#one-time-codes-by-push). */

export const OtpParams = Type.Object({ appId: Id, otpId: Id });
export type OtpParams = Static<typeof OtpParams>;

export const CreatedOtp = Type.Object({
  otpId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  superseded: Type.Union([Type.String(), Type.Null()], { description: 'The pending code of the same user and purpose this one replaced (it verifies nothing more), or null' }),
});

export const OtpVerdict = Type.Object({
  valid: Type.Boolean(),
  attemptsLeft: Type.Optional(Type.Integer({ description: 'On a wrong code: verifies left before the code is burnt' })),
  failures: Type.Optional(Type.Integer({ description: 'On a wrong code: the user’s failures in a row (shared with push sign-in and the fallbacks)' })),
  reason: Type.Optional(Type.Union([Type.Literal('used'), Type.Literal('burnt'), Type.Literal('expired'), Type.Literal('superseded')], { description: 'Why the code was not open; nothing was counted' })),
});
