import { sql, type SqlBool } from 'kysely';
import type { Filter } from '../audience/filter/index.ts';
import { audienceRows, compileContext } from '../audience/filter/sql/audience-query.ts';
import type { Context } from '../context.ts';
import type { PreparedCampaign } from './campaign-definition.ts';
import { placeRecipient } from './policy/index.ts';
import type { RecipientTiming } from './timing/index.ts';
import { inWaveWindows, type Wave } from './waves.ts';

/** Audience rows read per query while walking a held wave. */
const PAGE = 1_000;

/** A recipient that quiet hours hold now: due, and waiting for the end of the window. */
export interface HeldRecipient {
  waveId: string;
  /** subscriptions.seq: the order they are listed in. */
  seq: number;
  userId: string;
  subscriptionId: string;
  timing: RecipientTiming;
  /** unix ms the hold began (the instant the schedule gave). */
  heldFrom: number;
  detail: string;
}

interface HeldWave {
  id: string;
  appId: string;
  run: number;
  sendAt: number;
  category: string | null;
  filter: Filter;
  wave: Wave;
}

/** A timing that quiet hours hold at `now`: due, not yet sent. */
const holds = (t: RecipientTiming | undefined, now: number): t is RecipientTiming & { quiet: NonNullable<RecipientTiming['quiet']> } =>
  t?.quiet !== undefined && Date.parse(t.dueAt) <= now && t.sendAt !== undefined && Date.parse(t.sendAt) > now;

export function heldDetail(t: RecipientTiming & { quiet: NonNullable<RecipientTiming['quiet']> }): string {
  return `held by quiet hours (${t.quiet.window}, ${t.quiet.source === 'user' ? 'the user’s own' : 'the app’s'}) until ${t.sendAt}`;
}

/**
 * The campaign's waves that may hold recipients now: not yet begun, and either planned per
 * user (an intelligent wave, whose users each have their own timing) or held as a whole (its
 * timing says quiet hours moved it and its due instant has passed). Ordered as the
 * recipients list walks waves.
 */
export async function heldWaves(ctx: Context, campaignId: string, now: number): Promise<Map<string, HeldWave>> {
  const rows = await ctx.store.db
    .selectFrom('notifications')
    .select(['id', 'app_id', 'campaign_run', 'send_at', 'category', 'audience', 'wave'])
    .where('campaign_id', '=', campaignId)
    .where('campaign_run', '>', 0)
    .where('status', '=', 'scheduled')
    .where('fanout_cursor', '=', 0)
    .where('send_at', '>', now)
    .execute();
  const held = new Map<string, HeldWave>();
  for (const r of rows) {
    const wave = JSON.parse(r.wave ?? '{}') as Wave;
    if (r.audience === null || wave.skip !== undefined || wave.phase === 'stopped') continue;
    if (!wave.planned && !holds(wave.timing, now)) continue;
    held.set(r.id, { id: r.id, appId: r.app_id, run: Number(r.campaign_run), sendAt: Number(r.send_at), category: r.category, filter: JSON.parse(r.audience) as Filter, wave });
  }
  return held;
}

/**
 * The recipients a held wave holds now, after `afterSeq`, up to `limit`: those its fan-out
 * would take when the window ends (the audience as it is now, less who turned the category
 * off), and of them those the wave is for (a zone split by users' own windows, winner mode's
 * phases), as the personaliser would decide. What becomes of each (sent, capped, holdout)
 * is decided when the wave goes; until then they are held, and say until when.
 */
export async function heldRecipients(ctx: Context, prepared: PreparedCampaign, campaignId: string, w: HeldWave, now: number, opts: { afterSeq?: number; limit?: number } = {}): Promise<HeldRecipient[]> {
  const db = ctx.store.db;
  const cctx = await compileContext(db, w.appId, { now: w.sendAt, caps: ctx.store.caps }, 'probe');
  const planAt = w.wave.planned ? w.wave.sendAt : null;
  const category = w.category;
  const out: HeldRecipient[] = [];
  let after = opts.afterSeq ?? 0;
  const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = await audienceRows(db, w.filter, cctx)
      .select(['subscriptions.seq as seq', 'subscriptions.id as subscriptionId', 'users.external_id as userId', 'users.timezone as zone', 'users.quiet_hours as quiet'])
      .$if(planAt !== null, (q) =>
        // Only the users whose own timing has a hold: a planned wave of a million users reads its held ones, not all.
        q
          .innerJoin('campaign_user_plans as p', (j) => j.onRef('p.user_seq', '=', 'users.seq').on('p.campaign_id', '=', campaignId).on('p.run', '=', w.run).on('p.send_at', '=', planAt!))
          .where('p.timing', 'like', '%"quiet":%')
          .select('p.timing as planned'),
      )
      .$if(category !== null, (q) =>
        q.where(sql<SqlBool>`not exists (select 1 from user_preferences where user_preferences.user_seq = users.seq and user_preferences.category = ${category} and user_preferences.enabled = 0)`),
      )
      .where('subscriptions.seq', '>', after)
      .orderBy('subscriptions.seq')
      .limit(PAGE)
      .execute();
    for (const r of rows as (typeof rows[number] & { planned?: string })[]) {
      const timing = r.planned !== undefined ? (JSON.parse(r.planned) as RecipientTiming) : w.wave.timing;
      if (!holds(timing, now) || !ofWave(prepared, campaignId, w.wave, r.userId, r.zone, r.quiet)) continue;
      out.push({ waveId: w.id, seq: Number(r.seq), userId: r.userId, subscriptionId: r.subscriptionId, timing, heldFrom: Date.parse(timing.dueAt), detail: heldDetail(timing) });
      if (out.length >= limit) return out;
    }
    if (rows.length < PAGE) return out;
    after = Number(rows.at(-1)!.seq);
  }
}

/** Whether the wave is the user's, as the personaliser decides it (campaign-personaliser.ts): its zone split, its phase. */
function ofWave(prepared: PreparedCampaign, campaignId: string, wave: Wave, userId: string, zone: string | null, quiet: string | null): boolean {
  if (wave.windows) {
    const key = zone !== null && wave.zones.includes(zone) ? zone : '';
    if (!inWaveWindows(wave.windows[key], quiet)) return false;
  }
  if (!prepared.variants?.winner || wave.phase === undefined) return true;
  const rest = placeRecipient(campaignId, userId, prepared.variants).kind === 'rest';
  return wave.phase === 'winner' ? rest : !rest;
}
