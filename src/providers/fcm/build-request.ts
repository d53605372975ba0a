import { sendPath } from '../../protocol/fcm/message.ts';

export interface FcmRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** POST {fcmUrl}/v1/projects/{project}/messages:send with the OAuth 2 access token. Pure. */
export function buildFcmRequest(fcmUrl: string, projectId: string, accessToken: string, message: { message: Record<string, unknown> }): FcmRequest {
  return {
    origin: new URL(fcmUrl).origin,
    path: sendPath(projectId),
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(message)),
  };
}
