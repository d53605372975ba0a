import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel, OutgoingMessage } from '../providers/channel.ts';
import { CHANNELS } from '../providers/registry.ts';
import { planSends, type BatchRecipient } from './plan-sends.ts';
import type { Personalised } from './personaliser.ts';

const recipient = (seq: number, channel = 'webpush', userSeq: number | null = seq * 10): BatchRecipient => ({
  seq,
  id: `sub_${seq}`,
  subscriptionId: `sub_${seq}`,
  channel,
  address: `https://push.example/${seq}`,
  p256dh: null,
  auth: null,
  environment: null,
  appTopic: null,
  userSeq,
  externalId: userSeq === null ? null : `user${seq}`,
});
const message = (title: string, body?: string): OutgoingMessage => ({ id: 'ntf_1', appId: 'app_1', content: { title, ...(body !== undefined ? { body } : {}) }, ttl: 60, urgency: 'normal', topic: null });

/** The registry's channels, counting how often each measures a payload. */
function countingChannels() {
  const measured: Record<string, number> = {};
  const channels = new Map<string, Channel>(
    [...CHANNELS].map(([name, c]) => [
      name,
      {
        ...c,
        payloadBytes(id, content) {
          measured[name] = (measured[name] ?? 0) + 1;
          return c.payloadBytes(id, content);
        },
      },
    ]),
  );
  return { measured, channels };
}

test('a message over its channel limit fails its recipient alone, with the size and the limit; the size is measured once per message and channel', () => {
  const { measured, channels } = countingChannels();
  const plain = message('Sale');
  const huge = message('Sale', 'x'.repeat(5000));
  const recipients = [recipient(1), recipient(2), recipient(3), recipient(4, 'apns'), recipient(5, 'apns')];
  const answers: Personalised[] = [{ message: plain }, { message: huge }, { message: plain }, { message: plain }, { message: huge }];
  const plan = planSends(recipients, answers, channels);
  assert.deepEqual(plan.sends.map((s) => s.recipient.seq), [1, 3, 4]);
  assert.deepEqual(plan.owner, [0, 2, 3]);
  assert.deepEqual(measured, { webpush: 2, apns: 2 });
  assert.deepEqual(plan.refused.map((r) => [r.seq, r.bucket, r.failure?.outcome, r.record?.reason, r.record?.userSeq]), [
    [2, 'failed', 'too_large', 'too_large', 20],
    [5, 'failed', 'too_large', 'too_large', 50],
  ]);
  assert.match(plan.refused[0]!.failure!.reason, /^payload of 5\d{3} bytes is over the webpush limit of 4096 bytes$/);
  assert.match(plan.refused[1]!.failure!.reason, /^payload of 5\d{3} bytes is over the apns limit of 4096 bytes$/);
});

test('a skip becomes a send record with its reason, detail and tags; nothing is sent to it', () => {
  const tags = { campaignId: 'cmp_1', variant: 'a' };
  const plan = planSends([recipient(1), recipient(2, 'webpush', null)], [{ skip: { reason: 'holdout', detail: null }, tags }, { message: message('Hi') }], CHANNELS);
  // `who` names the recipient for the activity log (docs/analytics.md).
  assert.deepEqual(plan.skipped, [{ userSeq: 10, subscriptionSeq: 1, reason: 'holdout', detail: null, countsForCaps: false, tags, who: { channel: 'webpush', subscriptionId: 'sub_1', userId: 'user1' } }]);
  assert.deepEqual(plan.sends.map((s) => s.recipient.seq), [2]);
  assert.deepEqual(plan.tags, [tags, undefined]);
});

test('a personaliser that answers for the wrong number of recipients fails the batch rather than misattributing outcomes', () => {
  assert.throws(() => planSends([recipient(1), recipient(2)], [{ message: message('Hi') }], CHANNELS), /answered 1 recipients of 2/);
});
