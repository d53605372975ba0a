import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { SEND_REASONS, type SendReason } from '../store/schema.ts';
import { prepare, type CampaignDefinition } from './campaign-definition.ts';
import { findCampaign } from './campaigns.ts';
import { heldRecipients, heldWaves } from './held-recipients.ts';

export interface RecipientView {
  notificationId: string;
  /** The user's id, when the subscription has a user (and the user has not been erased). */
  userId: string | null;
  subscriptionId: string | null;
  reason: SendReason;
  detail: string | null;
  variant: string | null;
  at: string;
  /** Why it went when it did (zone, local time, quiet hours), as planned. */
  timing: unknown;
}

interface Position {
  wave: string;
  reason: SendReason;
  seq: number;
}

function encode(p: Position): string {
  return Buffer.from(`r1:${p.wave}:${p.reason}:${p.seq}`).toString('base64url');
}

function decode(cursor: string): Position {
  const m = /^r1:(ntf_[A-Za-z0-9_-]{1,64}):([a-z_]{1,20}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || !SEND_REASONS.includes(m[2] as SendReason)) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { wave: m[1]!, reason: m[2] as SendReason, seq: Number(m[3]) };
}

/**
 * Who the campaign's audience matched and what became of each, optionally of one reason
 * (`capped`, `holdout`, ...), paged. Wave by wave, and in each by (reason, seq): the order
 * of the index on (notification_id, reason, seq), so a page costs its own rows however
 * large the campaign.
 */
export async function listRecipients(ctx: Context, appId: string, id: string, opts: { limit: number; reason?: SendReason; cursor?: string }): Promise<{ data: RecipientView[]; next: string | null }> {
  const campaign = await findCampaign(ctx.store.db, appId, id);
  const db = ctx.store.db;
  const waves = (await db.selectFrom('notifications').select('id').where('campaign_id', '=', campaign.id).where('campaign_run', '>', 0).orderBy('send_at').orderBy('id').execute()).map((w) => w.id);
  const after = opts.cursor === undefined ? undefined : decode(opts.cursor);
  let start = 0;
  if (after) {
    start = waves.indexOf(after.wave);
    if (start < 0 || (opts.reason !== undefined && after.reason !== opts.reason)) throw new ApiError('invalid_cursor', 'The cursor is not of this campaign and reason');
  }
  const data: RecipientView[] = [];
  let last: Position | undefined;
  // Waves quiet hours hold now have no records yet: their recipients are listed as held, and until when.
  const held = opts.reason === undefined || opts.reason === 'quiet_held' ? await heldWaves(ctx, campaign.id, ctx.now()) : new Map();
  const prepared = held.size > 0 ? prepare(JSON.parse(campaign.definition) as CampaignDefinition) : null;
  for (let w = start; w < waves.length && data.length < opts.limit; w++) {
    const wave = waves[w]!;
    const holding = held.get(wave);
    if (holding) {
      const afterSeq = after && w === start && after.reason === 'quiet_held' ? after.seq : 0;
      for (const r of await heldRecipients(ctx, prepared!, campaign.id, holding, ctx.now(), { afterSeq, limit: opts.limit - data.length })) {
        data.push({ notificationId: wave, userId: r.userId, subscriptionId: r.subscriptionId, reason: 'quiet_held', detail: r.detail, variant: null, at: new Date(r.heldFrom).toISOString(), timing: r.timing });
        last = { wave, reason: 'quiet_held', seq: r.seq };
      }
      continue;
    }
    if (opts.reason === 'quiet_held') continue;
    let q = db
      .selectFrom('send_records as r')
      .leftJoin('users as u', 'u.seq', 'r.user_seq')
      .leftJoin('subscriptions as s', 's.seq', 'r.subscription_seq')
      .select(['r.seq as seq', 'r.reason as reason', 'r.detail as detail', 'r.variant as variant', 'r.at as at', 'r.timing as timing', 'u.external_id as userId', 's.id as subscriptionId'])
      .where('r.notification_id', '=', wave);
    if (opts.reason !== undefined) q = q.where('r.reason', '=', opts.reason);
    if (after && w === start) {
      const a = after;
      q = q.where((eb) => eb.or([eb('r.reason', '>', a.reason), eb.and([eb('r.reason', '=', a.reason), eb('r.seq', '>', a.seq)])]));
    }
    const rows = await q.orderBy('r.reason').orderBy('r.seq').limit(opts.limit - data.length).execute();
    for (const r of rows) {
      data.push({
        notificationId: wave,
        userId: r.userId ?? null,
        subscriptionId: r.subscriptionId ?? null,
        reason: r.reason,
        detail: r.detail,
        variant: r.variant,
        at: new Date(Number(r.at)).toISOString(),
        timing: r.timing === null ? null : JSON.parse(r.timing),
      });
      last = { wave, reason: r.reason, seq: Number(r.seq) };
    }
  }
  return { data, next: data.length === opts.limit && last ? encode(last) : null };
}
