export { isPublicAddress } from './address-policy.ts';
export { LazyAgent } from './lazy-agent.ts';
export { EndpointRejectedError, type EndpointRejectionReason } from './endpoint-rejected-error.ts';
export { checkEndpointUrl, MAX_ENDPOINT_LENGTH, type EndpointUrlOptions } from './endpoint-url.ts';
export { OriginSemaphore } from './origin-semaphore.ts';
export {
  PushTransport,
  type PushRequest,
  type PushResponse,
  type PushTransportOptions,
  type TransportStats,
} from './push-transport.ts';
export { parseRetryAfter } from './retry-after.ts';
export { createSafeLookup, safeLookup, systemResolver, type Resolver, type SafeLookupOptions } from './safe-lookup.ts';
export { TransportError, type TransportErrorCode } from './transport-error.ts';
