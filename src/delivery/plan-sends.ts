import { oncePer, type Channel, type OutgoingMessage, type Recipient } from '../providers/channel.ts';
import type { Settled } from './batch-progress.ts';
import type { Personalised, PersonalRecipient, RecordTags } from './personaliser.ts';
import type { ChannelSend } from './send-by-channel.ts';
import type { RecordDraft } from './send-records.ts';

/** A recipient of the batch as the deliver job loads it: the subscription and its user. */
export type BatchRecipient = Recipient & PersonalRecipient;

/** What a batch does with each recipient once personalised. */
export interface SendPlan {
  /** What goes to the senders, with `owner[k]` the index of send k's recipient. */
  sends: ChannelSend[];
  owner: number[];
  /** Per recipient, the tags its send record carries. */
  tags: (RecordTags | undefined)[];
  /** Outcomes known without sending: messages over their channel's limit (failed, listed). */
  refused: Settled[];
  /** Recipients the personaliser left out, as their send records say why. */
  skipped: RecordDraft[];
  /** Recipients the personaliser said are not this notification's (`omit`): no send, no record. */
  omitted: number;
}

/**
 * Splits a batch's recipients by what the personaliser answered: the sends, the skips, and
 * the messages too large for their channel. A message over the channel's payload limit
 * fails for its recipient alone (`too_large`, with the size and the limit); the size is
 * measured once per distinct message object and channel, so a plain notification costs
 * one measure per channel per batch.
 */
export function planSends(recipients: readonly BatchRecipient[], answers: readonly Personalised[], channels: ReadonlyMap<string, Channel>): SendPlan {
  if (answers.length !== recipients.length) throw new Error(`the personaliser answered ${answers.length} recipients of ${recipients.length}`);
  const measures = new Map<string, (m: OutgoingMessage) => number>();
  const sizeOn = (channel: Channel) => measures.get(channel.name) ?? measures.set(channel.name, oncePer((m: OutgoingMessage) => channel.payloadBytes(m.id, m.content))).get(channel.name)!;
  const plan: SendPlan = { sends: [], owner: [], tags: [], refused: [], skipped: [], omitted: 0 };
  recipients.forEach((r, i) => {
    const answer = answers[i]!;
    plan.tags.push(answer.tags);
    if ('omit' in answer) {
      plan.omitted++;
      return;
    }
    if ('skip' in answer) {
      plan.skipped.push({ userSeq: r.userSeq, subscriptionSeq: r.seq, reason: answer.skip.reason, detail: answer.skip.detail, countsForCaps: false, ...(answer.tags ? { tags: answer.tags } : {}), who: { subscriptionId: r.id, channel: r.channel, userId: r.externalId } });
      return;
    }
    const channel = channels.get(r.channel);
    if (channel) {
      const size = sizeOn(channel)(answer.message);
      const limit = channel.capabilities.maxPayloadBytes;
      if (size > limit) {
        const reason = `payload of ${size} bytes is over the ${channel.name} limit of ${limit} bytes`;
        plan.refused.push({
          seq: r.seq,
          bucket: 'failed',
          failure: { subscription_id: r.id, outcome: 'too_large', status_code: null, reason },
          record: { userSeq: r.userSeq, subscriptionSeq: r.seq, reason: 'too_large', detail: reason, countsForCaps: false, ...(answer.tags ? { tags: answer.tags } : {}), who: { subscriptionId: r.id, channel: r.channel, userId: r.externalId } },
        });
        return;
      }
    }
    plan.sends.push({ recipient: r, message: answer.message, channel: r.channel });
    plan.owner.push(i);
  });
  return plan;
}
