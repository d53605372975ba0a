import { defaults, type Config } from '../config/defaults.ts';
import { ConfigError } from '../config/load.ts';

/**
 * Bounds of the push service, each with its unit and reason. Those that size what
 * strangers can make it store (subscriptions, messages, bytes, TTL) are config keys,
 * documented in src/config/defaults.ts; the timers and frame bounds are not (tests
 * shorten them; operators have had no need to change them).
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
  /** s; longest TTL kept (config pushMaxTtl); a longer request is kept this long and told so. */
  maxTtl: number;
  /** Subscriptions one WebSocket may make (config pushChannelsPerConnection). */
  channelsPerConnection: number;
  /** Subscriptions one client address may make per hour (config pushChannelsPerAddress). */
  channelsPerAddress: number;
  /** New uaids one client address may bring per hour (config pushUaidsPerAddress). */
  uaidsPerAddress: number;
  /** Messages stored per subscription (config pushMessagesPerChannel). */
  messagesPerChannel: number;
  /** bytes of stored payload per subscription (config pushBytesPerChannel). */
  bytesPerChannel: number;
  /** Messages stored in all (config pushStoredMessages). */
  storedMessages: number;
  /** bytes of stored payload in all (config pushStoredBytes). */
  storedBytes: number;
  /**
   * ms; how long the totals of what is stored are trusted before they are counted again.
   * Counting a million rows on every push would cost more than the push; this process
   * adds what it stores in between, so only other processes can overshoot, by what they
   * accept in this time.
   */
  usageRefresh: number;
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
  maxTtl: defaults.pushMaxTtl,
  channelsPerConnection: defaults.pushChannelsPerConnection,
  channelsPerAddress: defaults.pushChannelsPerAddress,
  uaidsPerAddress: defaults.pushUaidsPerAddress,
  messagesPerChannel: defaults.pushMessagesPerChannel,
  bytesPerChannel: defaults.pushBytesPerChannel,
  storedMessages: defaults.pushStoredMessages,
  storedBytes: defaults.pushStoredBytes,
  usageRefresh: 10_000,
  sweepInterval: 60_000,
  unregisteredRetention: 30 * 24 * 3600 * 1000,
};

/**
 * The limits set by config keys, checked: each must be a positive integer (a 0 would
 * refuse every browser, which no operator means).
 *
 * @example registerPushService(app, { ...options, limits: pushServiceLimits(config) })
 */
export function pushServiceLimits(config: Config): Partial<PushServiceLimits> {
  const keys = {
    maxTtl: 'pushMaxTtl',
    channelsPerConnection: 'pushChannelsPerConnection',
    channelsPerAddress: 'pushChannelsPerAddress',
    uaidsPerAddress: 'pushUaidsPerAddress',
    messagesPerChannel: 'pushMessagesPerChannel',
    bytesPerChannel: 'pushBytesPerChannel',
    storedMessages: 'pushStoredMessages',
    storedBytes: 'pushStoredBytes',
  } as const satisfies Partial<Record<keyof PushServiceLimits, keyof Config>>;
  const limits: Partial<PushServiceLimits> = {};
  for (const [limit, key] of Object.entries(keys) as [keyof typeof keys, (typeof keys)[keyof typeof keys]][]) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${key} must be a positive integer, got ${value}`);
    limits[limit] = value;
  }
  return limits;
}
