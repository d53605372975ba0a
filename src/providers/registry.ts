import type { Channel } from './channel.ts';
import { webPushChannel } from './webpush/channel.ts';

/** Every channel Carillon delivers to, by the name subscriptions carry. */
export const CHANNELS: ReadonlyMap<string, Channel> = new Map([webPushChannel].map((c) => [c.name, c]));
