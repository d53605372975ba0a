/** Campaign throttles: a bucket per campaign shared by every worker (docs/campaigns-policy.md#throttle). */
export { freshState, takeTokens, throttleRate, type ThrottleRate, type ThrottleState, type ThrottleTake } from './throttle-bucket.ts';
export { storeThrottle, type CampaignThrottle } from './throttle-store.ts';
export { throttledSenders } from './throttled-senders.ts';
