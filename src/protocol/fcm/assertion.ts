/**
 * The OAuth 2.0 service-account flow Google uses for server-to-server calls ("Using
 * OAuth 2.0 for Server to Server Applications"): an RS256 JWT assertion (RFC 7523) signed
 * with the service account's key, POSTed to its token_uri, answered with an access token.
 * Pure: the time is an argument.
 */
import { sign, type KeyObject } from 'node:crypto';
import { OAuthTokenError } from './errors.ts';

/** The scope FCM's HTTP v1 API requires ("Authorize send requests"). */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** RFC 7523 §2.1. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** s; Google accepts assertions that expire at most one hour after iat. */
export const MAX_ASSERTION_LIFETIME = 3600;

export interface AssertionInput {
  key: KeyObject;
  clientEmail: string;
  privateKeyId: string;
  /** The token_uri; Google checks that `aud` names it. */
  audience: string;
  /** Unix seconds. */
  issuedAt: number;
  scope?: string;
}

/**
 * @example
 *   const body = tokenRequestBody(signAssertion({ key, clientEmail, privateKeyId, audience: tokenUri, issuedAt: now }));
 */
export function signAssertion(input: AssertionInput): string {
  if (!Number.isSafeInteger(input.issuedAt) || input.issuedAt <= 0) throw new RangeError('issuedAt must be Unix seconds');
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: input.privateKeyId })).toString('base64url');
  const claims = Buffer.from(
    JSON.stringify({
      iss: input.clientEmail,
      scope: input.scope ?? FCM_SCOPE,
      aud: input.audience,
      iat: input.issuedAt,
      exp: input.issuedAt + MAX_ASSERTION_LIFETIME,
    }),
  ).toString('base64url');
  const signingInput = `${header}.${claims}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), input.key).toString('base64url')}`;
}

/** The form body of the token request (RFC 7523 §2.1, application/x-www-form-urlencoded). */
export function tokenRequestBody(assertion: string): string {
  return new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
}

export interface AccessToken {
  accessToken: string;
  /** s from issue. */
  expiresIn: number;
}

/**
 * Reads the token endpoint's answer: RFC 6749 §5.1 on success, §5.2 on error.
 * @throws OAuthTokenError
 */
export function parseTokenResponse(status: number, body: string): AccessToken {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (status !== 200) {
    const error = typeof json?.error === 'string' ? json.error : 'http_error';
    const description = typeof json?.error_description === 'string' ? `: ${json.error_description}` : '';
    throw new OAuthTokenError(status, error, `token endpoint answered ${status} ${error}${description}`);
  }
  const accessToken = json?.access_token;
  const expiresIn = json?.expires_in;
  const tokenType = json?.token_type;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new OAuthTokenError(status, 'malformed_response', 'token endpoint answer lacks access_token or expires_in');
  }
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new OAuthTokenError(status, 'malformed_response', `token endpoint issued a ${tokenType} token, not a Bearer token`);
  }
  return { accessToken, expiresIn };
}
