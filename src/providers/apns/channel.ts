import type { Config } from '../../config/defaults.ts';
import { ApiError } from '../../errors/api-error.ts';
import { fromProtocolError } from '../../errors/protocol-errors.ts';
import type { MessageContent } from '../../message/content.ts';
import { normalizeDeviceToken } from '../../protocol/apns/device-token.ts';
import { InvalidDeviceTokenError } from '../../protocol/apns/errors.ts';
import { MAX_APNS_PAYLOAD_BYTES, apnsPayloadBytes } from '../../protocol/apns/payload.ts';
import type { Channel, ChannelAddress, OutgoingMessage, Recipient } from '../channel.ts';
import { requireField } from '../require-field.ts';
import { buildApnsPayloadFor } from './build-payload.ts';

const ENVIRONMENTS = ['production', 'sandbox'];
/** A bundle id: reverse-DNS letters, digits, hyphens and dots (Apple, CFBundleIdentifier). */
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export const apnsChannel: Channel = {
  name: 'apns',
  capabilities: {
    maxPayloadBytes: MAX_APNS_PAYLOAD_BYTES,
    // apns-collapse-id
    collapse: true,
    // mutable-content for a notification service extension
    images: true,
    // the app's registered category
    actions: true,
    sound: true,
    badgeCount: true,
    dataOnly: true,
    interruptionLevels: true,
  },

  parseSubscription(input: Record<string, unknown>, _config: Config): ChannelAddress {
    const raw = requireField('apns', 'token', input.token);
    let token: string;
    try {
      token = normalizeDeviceToken(raw);
    } catch (err) {
      throw fromProtocolError(err, err instanceof InvalidDeviceTokenError ? { field: 'token', extra: { reason: err.reason } } : {});
    }
    const environment = input.environment ?? 'production';
    if (typeof environment !== 'string' || !ENVIRONMENTS.includes(environment)) {
      throw new ApiError('invalid_request', 'environment must be production or sandbox', { errors: [{ field: 'body.environment', message: 'must be production or sandbox' }] });
    }
    const topic = input.topic;
    if (topic !== undefined && (typeof topic !== 'string' || !BUNDLE_ID.test(topic))) {
      throw new ApiError('invalid_request', 'topic must be the app bundle id, such as com.example.app', { errors: [{ field: 'body.topic', message: 'is not a bundle id' }] });
    }
    return { address: token, p256dh: null, auth: null, environment, appTopic: topic ?? null };
  },

  view(a: ChannelAddress) {
    return { token: a.address, environment: a.environment, topic: a.appTopic };
  },

  payloadBytes(notificationId: string, content: MessageContent): number {
    return apnsPayloadBytes(buildApnsPayloadFor(notificationId, content));
  },

  checkContent(content: MessageContent): void {
    if (content.data && 'aps' in content.data) {
      throw new ApiError('invalid_request', 'data.aps is reserved by APNs', { errors: [{ field: 'body.data.aps', message: 'is reserved' }] });
    }
  },

  /** Per app, the unit `providerRate` counts. */
  rateKey(_recipient: Recipient, message: OutgoingMessage): string {
    return `apns:${message.appId}`;
  },

  rate(config: Config): number {
    return config.providerRate;
  },

  // A 429 (TooManyRequests) is about one device token, not the sender.
  pausesOnThrottle: false,
};
