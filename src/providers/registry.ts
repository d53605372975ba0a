import { apnsChannel } from './apns/channel.ts';
import type { Channel } from './channel.ts';
import { fcmChannel } from './fcm/channel.ts';
import { webPushChannel } from './webpush/channel.ts';

/** Every channel Carillon delivers to, by the name subscriptions carry. */
export const CHANNELS: ReadonlyMap<string, Channel> = new Map([webPushChannel, apnsChannel, fcmChannel].map((c) => [c.name, c]));
