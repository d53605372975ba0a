import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';
import { MAX_CHALLENGE_WAIT } from '../../mfa/index.ts';

/** Schemas of the push sign-in routes (mfa.ts, mfa-device.ts); the inputs are the feature's own (src/mfa/). */

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const UserId = Type.String({ minLength: 1, maxLength: 256 });

export const UserBody = Type.Object({ userId: UserId }, { additionalProperties: false });
export type UserBody = Static<typeof UserBody>;

export const UserQuery = Type.Object({ userId: UserId }, { additionalProperties: false });
export type UserQuery = Static<typeof UserQuery>;

export const AuditQuery = Type.Object({ userId: UserId, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery> & { limit: number };

export const DeviceParams = Type.Object({ appId: Id, deviceId: Id });
export type DeviceParams = Static<typeof DeviceParams>;
export const ChallengeParams = Type.Object({ appId: Id, challengeId: Id });
export type ChallengeParams = Static<typeof ChallengeParams>;
export const ChallengeQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_CHALLENGE_WAIT,
        description: `s; a long poll: answer once the challenge is no longer pending, or after this long with it as it stands (at most ${MAX_CHALLENGE_WAIT}); absent or 0, at once`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type ChallengeQuery = Static<typeof ChallengeQuery>;

export const Enrollment = Type.Object({
  enrollmentId: Type.String(),
  token: Type.String({ description: 'Single use; give it to the device (in the QR code); Carillon keeps only its hash' }),
  uri: Type.String({ description: 'carillon-mfa://enroll?app=...&token=...&server=...: the content of the QR code' }),
  expiresAt: Time,
});

export const Device = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  publicKey: Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), y: Type.String() }),
  subscriptionId: Type.String(),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
});
export const DeviceList = Type.Object({ data: Type.Array(Device) });

export const ChallengeStatus = Type.Union(['pending', 'approved', 'denied', 'expired', 'locked'].map((s) => Type.Literal(s)));

export const CreatedChallenge = Type.Object({
  challengeId: Type.String(),
  code: Type.String({ pattern: '^[0-9]{6}$', description: 'Show it on the login screen; the user types it on the device' }),
  expiresAt: Time,
  supersedes: Nullable(Type.String({ description: 'The pending challenge this one ended' })),
  answerMode: Type.Union([Type.Literal('code'), Type.Literal('numberMatching')], { description: 'code: the user types the code on the device; numberMatching (weaker, opt-in): the user picks it among three numbers' }),
});

export const Challenge = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  status: ChallengeStatus,
  reason: Nullable(Type.String({ description: 'superseded, timeout, denied, wrong_code, fraud or failures' })),
  createdAt: Time,
  expiresAt: Time,
  answeredAt: Nullable(Time),
  deviceId: Nullable(Type.String()),
  failures: Type.Optional(Type.Integer({ description: 'On an answer with a wrong code: failures in a row' })),
});

export const ChallengeDetails = Type.Object({
  challengeId: Type.String(),
  context: Type.Object({
    ip: Type.String(),
    location: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    appName: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
  }),
  createdAt: Time,
  expiresAt: Time,
  answerMode: Type.Union([Type.Literal('code'), Type.Literal('numberMatching')], { description: 'code: ask for the code; numberMatching: show `numbers` and sign the one picked as `code`' }),
  numbers: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{6}$' }), { minItems: 3, maxItems: 3, description: 'numberMatching only: the three numbers to show, in this order' })),
});

export const UserMfaState = Type.Object({
  userId: Type.String(),
  failures: Type.Integer(),
  locked: Type.Boolean(),
  lockedReason: Type.Union([Type.Literal('failures'), Type.Literal('fraud'), Type.Null()]),
  backoffUntil: Nullable(Time),
});

export const AuditRecord = Type.Object({
  id: Type.String(),
  at: Time,
  type: Type.String(),
  userId: Type.String(),
  challengeId: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  tags: Type.Array(Type.String(), { description: 'T1621 (MITRE ATT&CK, MFA request generation) on fatigue signals' }),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditPage = Type.Object({ data: Type.Array(AuditRecord) });
