import type { Context } from '../context.ts';
import type { OutgoingMessage, Send, Sender } from '../providers/channel.ts';
import { CredentialsUnusableError, credentialsFailure, type Outcome } from '../providers/outcome.ts';
import type { DeliveryMetrics } from './metrics.ts';

/** A send of the batch and the channel of its subscription. */
export type ChannelSend = Send & { channel: string };

/**
 * Sends each channel's sends through its sender, all channels at once; outcomes come back
 * in send order, and each to `settled` as it is known (a sender may tell one early and
 * return it again at the end: the caller drops the second).
 */
export async function sendByChannel(
  ctx: Context,
  deps: { senders: ReadonlyMap<string, Sender>; metrics?: DeliveryMetrics },
  sends: readonly ChannelSend[],
  settled: (index: number, outcome: Outcome) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(sends.length);
  const groups = new Map<string, number[]>();
  sends.forEach((s, i) => {
    const group = groups.get(s.channel);
    if (group) group.push(i);
    else groups.set(s.channel, [i]);
  });
  await Promise.all(
    [...groups].map(async ([channel, indexes]) => {
      const sender = deps.senders.get(channel);
      const first = sends[indexes[0]!]!.message;
      let results: Outcome[];
      if (!sender) {
        results = indexes.map(() => ({ kind: 'rejected', reason: `no sender for channel ${channel} in this process` }));
      } else {
        try {
          results = await sender.send(
            indexes.map((i) => sends[i]!),
            (k, o) => settled(indexes[k]!, o),
          );
        } catch (err) {
          if (err instanceof CredentialsUnusableError) {
            results = indexes.map(() => credentialsFailure(err));
          } else {
            // Any other failure of the sender itself (a crypto thread died) is retried per
            // recipient like any transient failure, so the batch still ends, counted, when
            // the attempts run out: it is never left open.
            ctx.logger.error({ err, channel, notification: first.id }, 'sender failed; the batch will be retried');
            results = indexes.map(() => ({ kind: 'retry', reason: `sender error: ${(err as Error)?.message ?? err}` }));
          }
        }
      }
      indexes.forEach((i, k) => {
        outcomes[i] = results[k]!;
        settled(i, results[k]!);
      });
      logCredentialFaults(ctx, channel, first, results);
      deps.metrics?.observeOutcomes(channel, results);
    }),
  );
  return outcomes;
}

/**
 * Credentials that cannot be used fail every recipient of the app on the channel at once:
 * said at error once per batch and channel (the reason names the key, never holds it), so
 * an operator sees it before a user reports it.
 */
function logCredentialFaults(ctx: Context, channel: string, message: OutgoingMessage, results: Outcome[]): void {
  const faulted = results.filter((o): o is Extract<Outcome, { kind: 'rejected' }> => o.kind === 'rejected' && o.fault !== undefined);
  if (faulted.length === 0) return;
  const first = faulted[0]!;
  ctx.logger.error(
    { module: 'delivery', channel, app: message.appId, notification: message.id, fault: first.fault, recipients: faulted.length, status: first.status, reason: first.reason },
    `${channel} credentials of the app cannot be used: ${faulted.length} recipients failed without retry`,
  );
}
