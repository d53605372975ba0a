/**
 * Bounds of the push service, each with its unit and reason. Tests shorten the timers;
 * operators have had no need to change them yet, so they are not config keys.
 */
export interface PushServiceLimits {
  /** bytes; largest WebSocket frame accepted. Firefox's frames are a few hundred bytes. */
  maxFrameBytes: number;
  /** frames; burst a connection may send at once: a Firefox with many subscriptions acks a backlog frame by frame. */
  frameBurst: number;
  /** frames per second, sustained, after the burst. */
  framesPerSecond: number;
  /** messages sent and not yet acked per connection; more wait in the store until acks come. */
  maxInFlight: number;
  /** bytes; a peer that does not read its socket is dropped once this much is queued for it. */
  maxBufferedBytes: number;
  /** ms; a connection that has not said `hello` by then is closed. */
  helloTimeout: number;
  /** ms; how often WebSocket pings check that idle peers are still there (one timer for all). */
  heartbeatInterval: number;
  /** subscriptions per uaid; a browser has one per site, so this only stops abuse. */
  maxChannelsPerUaid: number;
  /** messages stored for one uaid; beyond, a push is refused with 429, so no sender can fill the disk. */
  maxPendingPerUaid: number;
  /** s; longest TTL kept (autopush's 60 days); a longer request is kept this long and told so. */
  maxTtl: number;
  /** ms; how often expired messages and old unsubscribed channels are removed. */
  sweepInterval: number;
  /** ms; how long an unsubscribed endpoint answers 410 Gone before it becomes unknown (404). */
  unregisteredRetention: number;
}

export const DEFAULT_LIMITS: PushServiceLimits = {
  maxFrameBytes: 16 * 1024,
  frameBurst: 500,
  framesPerSecond: 50,
  maxInFlight: 100,
  maxBufferedBytes: 1024 * 1024,
  helloTimeout: 10_000,
  heartbeatInterval: 240_000,
  maxChannelsPerUaid: 1_000,
  maxPendingPerUaid: 1_000,
  maxTtl: 60 * 24 * 3600,
  sweepInterval: 60_000,
  unregisteredRetention: 30 * 24 * 3600 * 1000,
};
