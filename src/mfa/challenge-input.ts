import { Type, type Static } from '@sinclair/typebox';

const text = (maxLength: number, description: string) => Type.Optional(Type.String({ maxLength, description }));

/** What the login server says of the sign-in, shown on the device so the user can tell it is theirs. */
export const ChallengeContext = Type.Object(
  {
    ip: Type.String({ minLength: 1, maxLength: 64, description: 'The address the sign-in came from' }),
    location: text(200, 'Where that address is, as the login server puts it ("Lyon, France")'),
    userAgent: text(512, 'The browser that is signing in'),
    appName: text(100, 'What is being signed in to'),
    action: text(200, 'What the sign-in is for ("Sign in", "Approve a payment of €120")'),
  },
  { additionalProperties: false },
);
export type ChallengeContext = Static<typeof ChallengeContext>;

export const ChallengeInput = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 256 }), context: ChallengeContext }, { additionalProperties: false });
export type ChallengeInput = Static<typeof ChallengeInput>;

/** A signed request: a compact JWS (RFC 7515 §7.1), three base64url parts. */
export const Jws = Type.String({ minLength: 5, maxLength: 4096, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'Compact ES256 JWS signed by the device key; kid is the device id' });

export const DetailsRequest = Type.Object({ request: Jws }, { additionalProperties: false, description: 'The JWS payload: {challengeId, nonce, exp, purpose: "details"}' });
export type DetailsRequest = Static<typeof DetailsRequest>;

export const AnswerRequest = Type.Object({ answer: Jws }, { additionalProperties: false, description: 'The JWS payload: {challengeId, nonce, purpose: "answer", decision: approve|deny|fraud, code, exp}; purpose is required, code is needed to approve' });
export type AnswerRequest = Static<typeof AnswerRequest>;

export const DECISIONS = ['approve', 'deny', 'fraud'] as const;
export type Decision = (typeof DECISIONS)[number];
