import type { MessageContent } from '../message/content.ts';
import type { OutgoingMessage } from '../providers/channel.ts';
import type { SendReason } from '../store/schema.ts';

/** The notification a batch belongs to, as a personaliser sees it. */
export interface PersonalisedNotification {
  id: string;
  appId: string;
  /** The preference category (orders, promotions, security, civic, or the app's own); null for none. */
  category: string | null;
  /** The content as accepted: what the default gives everyone. */
  content: MessageContent;
  /** unix ms the notification was due. */
  sendAt: number;
}

/** One recipient of the batch: a subscription, and its user when it has one. */
export interface PersonalRecipient {
  /** The subscription's seq: what `send_records.subscription_seq` holds. */
  seq: number;
  subscriptionId: string;
  channel: string;
  /** `users.seq` of the subscription's user; null for a subscription without a known user. */
  userSeq: number | null;
  /** The user id the site gave (`users.external_id`); null without one. */
  externalId: string | null;
}

/**
 * What a send record says beside its reason (migration 012): the campaign and variant a
 * send belongs to, whether it is a test send (which never counts against caps), and why
 * it went when it did (local time, best hour, quiet-hours hold), as JSON-able data.
 */
export interface RecordTags {
  campaignId?: string | null;
  variant?: string | null;
  test?: boolean;
  timing?: unknown;
  /** Never counts against frequency caps, whatever its category: a civic alert in a category of the app's own (src/alerts/send/alert-personaliser.ts). */
  uncapped?: boolean;
}

/** Why a recipient is not sent, as its send record says it. `detail` explains it (the cap rule, the render error); never a secret or the content. */
export interface Skip {
  reason: Exclude<SendReason, 'sent' | 'too_large'>;
  detail: string | null;
}

/**
 * Per recipient: the message it is sent, or the reason it is not, or `omit`: not this
 * notification's recipient after all (a campaign in two phases sends the test group in
 * the first and the rest in the second, over one audience): no send, no record, and it
 * leaves the notification's targeted count. Recipients given the
 * same message object share one payload build (and, on Web Push, one plaintext handed to
 * the crypto threads), so a personaliser should hand out one object per distinct rendering.
 */
export type Personalised = ({ message: OutgoingMessage } | { skip: Skip } | { omit: true }) & { tags?: RecordTags };

/**
 * How a feature (campaigns: Liquid content, languages, variants, caps) shapes each
 * recipient's message. Declared here, where the deliver job uses it, and implemented
 * above delivery, so delivery does not reach up a floor; the runtime wires it.
 *
 * `base` is the notification's own message with what is left of its TTL, urgency and
 * topic already set: derive personal messages from it (`{ ...base, content }`) so the
 * delivery fields stay right. The answer has one entry per recipient, in order. Throwing
 * fails the batch's attempt (it is retried like a sender error).
 */
export interface Personaliser {
  personalise(notification: PersonalisedNotification, recipients: readonly PersonalRecipient[], base: OutgoingMessage): Promise<Personalised[]>;
}

/** Plain notifications: every recipient is sent the one message (one payload build per batch). */
export const samePersonaliser: Personaliser = {
  async personalise(_notification, recipients, base) {
    const same: Personalised = { message: base };
    return recipients.map(() => same);
  },
};
