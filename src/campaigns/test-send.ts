import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { PRIORITY } from '../queue/queue.ts';
import { prepare, type CampaignDefinition } from './campaign-definition.ts';
import { insertCampaignNotification } from './campaign-notification.ts';
import { findCampaign } from './campaigns.ts';

/**
 * `POST .../campaigns/{id}/test`: the campaign as one user would get it, to that user's
 * devices now, whatever the campaign's status and schedule. Marked as a test (run 0 of the
 * campaign, `send_records.test`): outside caps (it neither obeys nor counts), never in the
 * holdout, and not in the campaign's figures. `variant` picks the variant to see.
 */
export async function sendTest(ctx: Context, appId: string, id: string, input: { userId: string; variant?: string }): Promise<{ notificationId: string; subscriptions: number }> {
  const row = await findCampaign(ctx.store.db, appId, id);
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
  if (input.variant !== undefined && !prepared.variantContent.has(input.variant)) {
    throw new ApiError('invalid_request', `The campaign has no variant "${input.variant}"`, { pointer: '#/variant' });
  }
  const subs = await ctx.store.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).where('user_id', '=', input.userId).executeTakeFirstOrThrow();
  if (Number(subs.n) === 0) throw new ApiError('user_not_found', `No subscription of user ${input.userId} in this app to send a test to`, { pointer: '#/userId' });
  const now = ctx.now();
  const notificationId = await ctx.store.db.transaction().execute((tx) =>
    insertCampaignNotification(ctx, tx, prepared, {
      campaignId: row.id,
      appId,
      run: 0,
      target: { userIds: [input.userId] },
      audience: null,
      sendAt: now,
      wave: { test: true, ...(input.variant !== undefined ? { variant: input.variant } : {}), timing: { kind: 'test', sendAt: new Date(now).toISOString() } },
      // A test is one user's devices: the urgent lane, not behind a broadcast.
      priority: PRIORITY.urgent,
    }),
  );
  return { notificationId, subscriptions: Number(subs.n) };
}
