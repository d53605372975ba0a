import type { Config } from '../../config/defaults.ts';
import { ApiError } from '../../errors/api-error.ts';
import { fromProtocolError } from '../../errors/protocol-errors.ts';
import type { MessageContent } from '../../message/content.ts';
import { encryptedBodyLength, MAX_BODY_BYTES } from '../../protocol/webpush/ece.ts';
import { parseAuthSecret, parseP256PublicKey } from '../../protocol/webpush/keys.ts';
import { checkEndpointUrl } from '../../transport/endpoint-url.ts';
import type { Channel, ChannelAddress, Recipient } from '../channel.ts';
import { requireField } from '../require-field.ts';
import { webPushPlaintext } from './build-payload.ts';

export const webPushChannel: Channel = {
  name: 'webpush',
  capabilities: {
    maxPayloadBytes: MAX_BODY_BYTES,
    collapse: true,
    images: true,
    actions: true,
    // Browsers choose the sound and show no count; a push must show a notification
    // (userVisibleOnly), so a data-only push is shown with its title.
    sound: false,
    badgeCount: false,
    dataOnly: false,
    interruptionLevels: false,
  },

  parseSubscription(input: Record<string, unknown>, config: Config): ChannelAddress {
    const endpoint = requireField('webpush', 'endpoint', input.endpoint);
    const keys = (input.keys ?? {}) as Record<string, unknown>;
    const p256dh = requireField('webpush', 'keys.p256dh', keys.p256dh);
    const auth = requireField('webpush', 'keys.auth', keys.auth);
    try {
      parseP256PublicKey(p256dh);
    } catch (err) {
      throw fromProtocolError(err, { field: 'keys.p256dh' });
    }
    try {
      parseAuthSecret(auth);
    } catch (err) {
      throw fromProtocolError(err, { field: 'keys.auth' });
    }
    try {
      checkEndpointUrl(endpoint, { allowPrivate: config.allowPrivateEndpoints });
    } catch (err) {
      throw new ApiError('endpoint_rejected', `endpoint: ${(err as Error).message}`, { reason: (err as { reason?: string }).reason });
    }
    return { address: endpoint, p256dh, auth, environment: null, appTopic: null };
  },

  view(a: ChannelAddress) {
    return { endpoint: a.address };
  },

  /** The encrypted body: RFC 8291 adds 86 header bytes, a delimiter and a 16-byte tag. */
  payloadBytes(notificationId: string, content: MessageContent): number {
    return encryptedBodyLength(webPushPlaintext(notificationId, content).byteLength);
  },

  /** Per push service origin: each push service sees all of Carillon's apps as one sender. */
  rateKey(recipient: Recipient): string {
    try {
      return `webpush:${new URL(recipient.address).origin}`;
    } catch {
      return 'webpush:invalid';
    }
  },

  rate(config: Config): number {
    return config.originRate;
  },

  pausesOnThrottle: true,
};
