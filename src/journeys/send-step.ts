import { getCampaignSettings } from '../campaigns/app-settings.ts';
import { compileContent, render, type CampaignContent, type CompiledContent } from '../campaigns/content/index.ts';
import { cappedUsers, UNCAPPED_CATEGORIES } from '../campaigns/policy/index.ts';
import { effectiveQuietHours, quietRelease, resolveZone } from '../campaigns/timing/index.ts';
import { storedQuietHours } from '../campaigns/user-quiet-hours.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { prepareNotification } from '../notifications/notifications.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import type { JourneyDefinition, Step } from './journey-definition.ts';
import type { TriggerEvent } from './user-facts.ts';

type SendStep = Extract<Step, { send: unknown }>['send'];

/**
 * What became of a send step: sent (the notification's id, with the write of it to commit
 * with the run's move, absent when an earlier try already stored it), held until an
 * instant, or skipped with the reason.
 */
export type SendOutcome = { sent: string; write?: (tx: Transaction<Database>) => Promise<void> } | { hold: number; reason: 'quiet_hours' | 'capped' } | { skip: 'quiet_hours' | 'capped' | 'suppressed' | 'render_failed' | 'no_user' | 'no_device'; detail?: string };

/** ms; a send held by the app's caps (`sendRules.caps: "hold"`) looks again this much later. */
export const CAP_HOLD_RETRY = 3_600_000;

/** Categories that quiet hours never hold (as for campaigns: docs/campaigns.md, quiet hours). */
const NOT_HELD = new Set(['security', 'civic']);

const compiled = new Map<string, CompiledContent>();

/** The content of a version's step, parsed once per process (a version never changes once runs are on it). */
function compiledFor(key: string, send: SendStep): CompiledContent {
  let c = compiled.get(key);
  if (!c) {
    c = compileContent(send.content as CampaignContent, { defaultLanguage: send.defaultLanguage, strict: send.strict });
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

/**
 * Who a send step goes to: every device of the user, or with `channels` (the filter
 * language's channel names: webpush, apns, fcm) only the user's devices on those, by their
 * subscription ids as they are now. Null when the user has none there.
 */
async function sendTarget(ctx: Context, appId: string, userId: string, channels: string[] | undefined): Promise<{ userIds: string[] } | { subscriptionIds: string[] } | null> {
  if (channels === undefined) return { userIds: [userId] };
  const subs = await ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', appId).where('user_id', '=', userId).where('channel', 'in', channels).orderBy('id').limit(10_000).execute();
  return subs.length === 0 ? null : { subscriptionIds: subs.map((s) => s.id) };
}

/**
 * A run's send step, now: the user's preferences, quiet hours and the app's caps first (held
 * or skipped as the journey says), then the content rendered with the user and the trigger
 * event, sent to the user's devices as a notification through the delivery pipeline, whose
 * send records count it for caps and analytics.
 *
 * The notification is stored in the transaction of the run's move past the step (its
 * `write`), so the send and the advance commit together or not at all. Its idempotency key
 * is still the step key (run, token): a run that a migration moves at the same token, or a
 * send stored by an earlier version that committed them apart, finds the notification
 * already made rather than making a second one.
 */
export async function sendStep(ctx: Context, run: JourneyRun, def: JourneyDefinition, send: SendStep, event: TriggerEvent): Promise<SendOutcome> {
  const db = ctx.store.db;
  const now = ctx.now();
  const user = await db.selectFrom('users').selectAll().where('seq', '=', run.user_seq).executeTakeFirst();
  if (!user) return { skip: 'no_user' };
  const category = send.category ?? null;
  if (category !== null) {
    const off = await db.selectFrom('user_preferences').select('enabled').where('user_seq', '=', run.user_seq).where('category', '=', category).executeTakeFirst();
    if (off && !off.enabled) return { skip: 'suppressed', detail: `the user turned ${category} off` };
  }
  const settings = await getCampaignSettings(ctx, run.app_id);
  if (category === null || !NOT_HELD.has(category)) {
    const window = effectiveQuietHours(settings.quietHours === null ? null : storedQuietHours(JSON.stringify(settings.quietHours)), storedQuietHours(user.quiet_hours));
    if (window) {
      const release = quietRelease(now, window, resolveZone(user.timezone, settings.timezone));
      if (release > now) return def.sendRules.quietHours === 'hold' ? { hold: release, reason: 'quiet_hours' } : { skip: 'quiet_hours' };
    }
  }
  if (settings.capRules.length > 0 && (category === null || !UNCAPPED_CATEGORIES.has(category))) {
    const hit = (await cappedUsers(db, run.app_id, [Number(run.user_seq)], category, now, settings.capRules)).get(Number(run.user_seq));
    if (hit) return def.sendRules.caps === 'hold' ? { hold: now + CAP_HOLD_RETRY, reason: 'capped' } : { skip: 'capped', detail: JSON.stringify(hit) };
  }
  const content = compiledFor(`${run.journey_id}:${run.version}:${run.step}`, send);
  const rendered = render(content, user.language, {
    user: { id: user.external_id, language: user.language, timezone: user.timezone, country: user.country, attributes: JSON.parse(user.attributes) as Record<string, unknown> },
    event: { name: event.name, properties: event.properties },
    app: { globals: settings.globals },
  });
  if (!rendered.ok) return { skip: 'render_failed', detail: rendered.detail };
  const to = await sendTarget(ctx, run.app_id, user.external_id, send.channels);
  if (!to) return { skip: 'no_device', detail: `the user has no device on ${send.channels!.join(', ')}` };
  const key = `journey:${run.id}:${run.token}`;
  try {
    const prepared = await prepareNotification(
      ctx,
      run.app_id,
      {
        to,
        ...rendered.content,
        ...(send.ttl !== undefined ? { ttl: send.ttl } : {}),
        ...(send.urgency !== undefined ? { urgency: send.urgency } : {}),
        ...(category !== null ? { preferenceCategory: category } : {}),
      },
      key,
    );
    return 'replayed' in prepared ? { sent: prepared.replayed } : { sent: prepared.id, write: prepared.write };
  } catch (err) {
    // A retry whose rendering differs (the user changed meanwhile) finds the key taken by
    // the send that went: the step was sent, once.
    if (err instanceof ApiError && err.code === 'idempotency_key_reused') {
      const row = await db.selectFrom('notifications').select('id').where('app_id', '=', run.app_id).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
      return { sent: row.id };
    }
    throw err;
  }
}
