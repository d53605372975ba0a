/** The APNs channel: pure channel and request builders, the HTTP/2 sender and its outcome map. */
export { apnsChannel } from './channel.ts';
export { buildApnsPayloadFor } from './build-payload.ts';
export { apnsOrigin, apnsPriority, buildApnsRequest, type ApnsRequest } from './build-request.ts';
export { isProviderTokenRefusal, mapApnsResponse, readApnsReason } from './map-error.ts';
export { ProviderTokenCache, type ProviderTokenKey } from './provider-token-cache.ts';
export { ApnsSender, type ApnsCredentials, type ApnsSenderDeps } from './sender.ts';
