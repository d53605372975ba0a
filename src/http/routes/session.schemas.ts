import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';
import { OPERATOR_ROLES } from '../../store/schema-operators.ts';

/** Schemas of the session and operator routes (session.ts, operators.ts). */
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'Compared in lower case' });
// The length rule (12 to 1,024 characters) is checked by the route, so that it answers weak_password.
const Password = Type.String({ maxLength: 4096 });
const Code = Type.String({ maxLength: 16, description: 'The six digits of the authenticator app (RFC 6238)' });
export const Role = Type.Union(OPERATOR_ROLES.map((r) => Type.Literal(r)));

export const SignInBody = Type.Object({ email: Email, password: Password, code: Type.Optional(Code) }, { additionalProperties: false });
export type SignInBody = Static<typeof SignInBody>;
export const SetupBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128, description: 'From the setup link printed at first start' }), email: Email, password: Password }, { additionalProperties: false });
export type SetupBody = Static<typeof SetupBody>;
export const PasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
export type PasswordBody = Static<typeof PasswordBody>;
export const CodeBody = Type.Object({ code: Code }, { additionalProperties: false });
export type CodeBody = Static<typeof CodeBody>;
export const ConfirmPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export type ConfirmPasswordBody = Static<typeof ConfirmPasswordBody>;

export const Membership = Type.Object({ appId: Type.String(), appName: Type.String(), role: Role });
export const Session = Type.Object({
  operator: Type.Object({ id: Type.String(), email: Type.String(), admin: Type.Boolean(), totp: Type.Boolean(), memberships: Type.Array(Membership) }),
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token on every call that changes something' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'The absolute end of the session' })),
  version: Type.String({ description: 'The Carillon version answering' }),
});
export const TotpEnrolment = Type.Object({ secret: Type.String({ description: 'Base32, for typing into the authenticator app' }), uri: Type.String({ description: 'otpauth:// URI, as a QR code would carry it' }) });

export const Operator = Type.Object({ id: Type.String(), email: Type.String(), admin: Type.Boolean(), totp: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }) });
export const CreateOperatorBody = Type.Object({ email: Email, password: Password, admin: Type.Optional(Type.Boolean({ description: 'An installation administrator (default false)' })) }, { additionalProperties: false });
export type CreateOperatorBody = Static<typeof CreateOperatorBody>;
export const OperatorParams = Type.Object({ operatorId: Id });
export type OperatorParams = Static<typeof OperatorParams>;
export const MemberParams = Type.Object({ appId: Id, operatorId: Id });
export type MemberParams = Static<typeof MemberParams>;
export const Member = Type.Object({ operatorId: Type.String(), email: Type.String(), role: Role });
export const SetMemberBody = Type.Object({ email: Email, role: Role }, { additionalProperties: false });
export type SetMemberBody = Static<typeof SetMemberBody>;
