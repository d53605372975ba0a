import { Type, type Static } from '@sinclair/typebox';

/** Schemas of the push sign-in fallbacks' routes (mfa-fallbacks.ts). */

const UserId = Type.String({ minLength: 1, maxLength: 256 });

export const UserCode = Type.Object({ userId: UserId, code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type UserCode = Static<typeof UserCode>;

export const TotpEnrollment = Type.Object({
  secret: Type.String({ description: 'Base32 (RFC 4648), for typing into the authenticator app; shown this once, kept sealed' }),
  uri: Type.String({ description: 'otpauth://totp/… URI (SHA-1, 6 digits, 30 s), the content of a QR code' }),
});
export const TotpConfirmed = Type.Object({ confirmed: Type.Literal(true) });

const Failures = Type.Optional(Type.Integer({ description: 'On a wrong code: the user’s failures in a row (shared with push sign-in)' }));
export const TotpVerdict = Type.Object({ valid: Type.Boolean(), failures: Failures });

export const RecoveryCodes = Type.Object({ codes: Type.Array(Type.String(), { description: 'Ten codes, shown this once; Carillon keeps only their hashes' }) });
export const RecoveryVerdict = Type.Object({ valid: Type.Boolean(), remaining: Type.Integer({ description: 'Unused codes left' }), failures: Failures });
