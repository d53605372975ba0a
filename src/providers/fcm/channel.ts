import type { Config } from '../../config/defaults.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { MessageContent } from '../../message/content.ts';
import { MAX_FCM_PAYLOAD_BYTES, fcmPayloadBytes, isReservedDataKey } from '../../protocol/fcm/message.ts';
import type { Channel, ChannelAddress, OutgoingMessage, Recipient } from '../channel.ts';
import { requireField } from '../require-field.ts';
import { buildFcmMessageFor } from './build-message.ts';

/**
 * FCM registration tokens are opaque; Google documents no format. What they are made of
 * (letters, digits, `-`, `_`, `:`) is checked, so a pasted token with a quote or space
 * in it is refused here rather than pruned after INVALID_ARGUMENT.
 */
const REGISTRATION_TOKEN = /^[A-Za-z0-9_:-]{32,1024}$/;

export const fcmChannel: Channel = {
  name: 'fcm',
  capabilities: {
    maxPayloadBytes: MAX_FCM_PAYLOAD_BYTES,
    // android.collapse_key
    collapse: true,
    // notification.image
    images: true,
    // click_action, with the buttons in data
    actions: true,
    sound: true,
    // notification_count
    badgeCount: true,
    // data messages
    dataOnly: true,
    // notification_priority
    interruptionLevels: true,
  },

  parseSubscription(input: Record<string, unknown>, _config: Config): ChannelAddress {
    const raw = requireField('fcm', 'token', input.token);
    if (!REGISTRATION_TOKEN.test(raw)) {
      throw new ApiError('invalid_device_token', 'token: an FCM registration token is 32 or more letters, digits, "-", "_" and ":"', { reason: 'format' });
    }
    return { address: raw, p256dh: null, auth: null, environment: null, appTopic: null };
  },

  view(a: ChannelAddress) {
    return { token: a.address };
  },

  payloadBytes(notificationId: string, content: MessageContent): number {
    return fcmPayloadBytes(buildFcmMessageFor(notificationId, '', { content, ttl: 0, urgency: 'normal', topic: null }));
  },

  checkContent(content: MessageContent): void {
    const keys = [...Object.keys(content.data ?? {}), ...Object.keys(content.fcm?.data ?? {})];
    const reserved = keys.find(isReservedDataKey);
    if (reserved !== undefined) {
      throw new ApiError('invalid_request', `data.${reserved} is reserved by FCM (from, message_type, notification, google*, gcm*)`, {
        errors: [{ field: `body.data.${reserved}`, message: 'is reserved by FCM' }],
      });
    }
  },

  /** Per app: FCM's quota is per project, and one app has one. */
  rateKey(_recipient: Recipient, message: OutgoingMessage): string {
    return `fcm:${message.appId}`;
  },

  rate(config: Config): number {
    return config.providerRate;
  },

  // A 429 is about one device's quota, not the project's.
  pausesOnThrottle: false,
};
