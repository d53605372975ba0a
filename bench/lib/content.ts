/** What the bench sends: the same content, hence the same bytes, for every contender. */
import { buildWebPushPayload } from '../../src/providers/webpush/build-payload.ts';

/** A marketing broadcast, as the fan-out and the crowd of section 3 send it. */
export const BROADCAST = {
  title: 'Flash sale',
  body: 'Everything 20% off until midnight. Tap to see what is left in your size.',
  url: 'https://shop.example/sale',
  icon: 'https://shop.example/icon-192.png',
};

/** The shape of a one-time code or sign-in approval (section 3 and 4). */
export function urgentSend(subscriptionId: string, topic?: string): Record<string, unknown> {
  return {
    to: { subscriptionIds: [subscriptionId] },
    title: 'Your sign-in code',
    body: 'Code 482 915. It expires in 5 minutes.',
    urgency: 'high',
    ttl: 300,
    ...(topic ? { topic } : {}),
  };
}

/** The plaintext Carillon encrypts for BROADCAST (Declarative Web Push JSON), for the peer to send as is. */
export function broadcastPlaintext(): string {
  return JSON.stringify(buildWebPushPayload('ntf_0123456789abcdefghij', BROADCAST));
}

/** s; the default TTL Carillon sends with (3 days), also given to the peer. */
export const TTL = 259_200;
