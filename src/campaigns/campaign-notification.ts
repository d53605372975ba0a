import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { fanoutJobSpec } from '../delivery/fanout.ts';
import type { Database } from '../store/schema.ts';
import type { PreparedCampaign } from './campaign-definition.ts';

/** What differs between the notifications a campaign is sent as: a wave, a test send. */
export interface CampaignNotification {
  campaignId: string;
  appId: string;
  /** 1, 2, ... a recurring campaign's runs; 0 for a test send (never in the campaign's figures). */
  run: number;
  target: unknown;
  /** The filter of the wave's audience, segments expanded; null for a `target` the store pages itself (a test's user). */
  audience: unknown;
  sendAt: number;
  /** The notifications.wave JSON: what the personaliser reads back (zones, phase, variant, timing). */
  wave: unknown;
  priority: number;
}

/** The campaign's default version, as it holds it: the content a notification of it shows (each recipient's is rendered at send time). */
export function defaultVersion(prepared: PreparedCampaign): unknown {
  const content = prepared.definition.content;
  const keys = Object.keys(content);
  return content[keys.find((k) => k.toLowerCase() === prepared.content.defaultLanguage.toLowerCase()) ?? keys[0]!];
}

/** Stores one notification of a campaign and its fan-out job, due at `sendAt`, in the caller's transaction. */
export async function insertCampaignNotification(ctx: Context, tx: Transaction<Database>, prepared: PreparedCampaign, n: CampaignNotification): Promise<string> {
  const d = prepared.definition;
  const now = ctx.now();
  const id = newId('ntf');
  await tx
    .insertInto('notifications')
    .values({
      id,
      app_id: n.appId,
      status: n.sendAt > now ? 'scheduled' : 'queued',
      target: JSON.stringify(n.target),
      audience: n.audience === null ? null : JSON.stringify(n.audience),
      content: JSON.stringify(defaultVersion(prepared)),
      ttl: d.ttl ?? ctx.config.defaultTtl,
      urgency: d.urgency ?? 'normal',
      topic: null,
      category: d.category ?? null,
      send_at: n.sendAt,
      idempotency_key: null,
      request_hash: null,
      fanout_cursor: 0,
      fanout_done: 0,
      targeted: 0,
      created_at: now,
      completed_at: null,
      campaign_id: n.campaignId,
      campaign_run: n.run,
      wave: JSON.stringify(n.wave),
      priority: n.priority,
    })
    .execute();
  await ctx.queue.add([fanoutJobSpec(id, 0, { runAt: n.sendAt, priority: n.priority })], tx);
  return id;
}
