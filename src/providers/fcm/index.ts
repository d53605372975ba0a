/** The FCM channel: pure channel and message builders, the HTTP/2 sender, OAuth 2 tokens and the outcome map. */
export { fcmChannel } from './channel.ts';
export { androidPriority, buildFcmMessageFor } from './build-message.ts';
export { buildFcmRequest, type FcmRequest } from './build-request.ts';
export { isAccessTokenRefusal, mapFcmResponse } from './map-error.ts';
export { AccessTokenCache } from './access-token-cache.ts';
export { OAuthClient } from './oauth-client.ts';
export { FcmSender, type FcmCredentials, type FcmSenderDeps } from './sender.ts';
