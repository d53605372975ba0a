import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { CHANNELS } from '../../providers/registry.ts';
import type { DialectCapabilities } from '../../store/dialect.ts';
import type { Database } from '../../store/schema.ts';
import { eraseMfaUser, hasMfaUser } from '../../store/erase-mfa-user.ts';
import { audienceSql } from '../filter/sql/capabilities.ts';
import { userView, type UserView } from './users.ts';

/** How many rows an erasure removed (or unlinked), table by table. */
export interface Erased {
  users: number;
  attributes: number;
  events: number;
  preferences: number;
  subscriptions: number;
  subscriptionTags: number;
  deliveryFailures: number;
  /** Engagement reports (displayed, clicked, ...) of the erased subscriptions, kept but unlinked. */
  engagementUnlinked: number;
  /** Send records (who was sent what, or left out why) of the user, kept but unlinked. */
  sendRecordsUnlinked: number;
  /** Notifications whose stored `to.userIds` named the user, the id taken out. */
  targetsScrubbed: number;
  /** The user's alert zones and test-alert opt-in (civic alerts). */
  alertChoices: number;
  /** Webhook messages kept for the delivery log and replay whose body named the user or their subscriptions, the ids taken out. */
  webhookMessagesScrubbed: number;
  /** The user's journey runs (where they are in each journey, and the event that started it); a timer of one comes to nothing. */
  journeyRuns: number;
  /** The user's push sign-in rows (devices, challenges, TOTP, recovery codes, ...; src/store/erase-mfa-user.ts). */
  mfa: number;
  /** Push sign-in audit records, kept but unlinked (the user id replaced, address and browser cleared). */
  mfaAuditUnlinked: number;
  /** Audience walks (a journey's item event entering its audience page by page) started by the user's event: kept, their user id cleared. */
  journeyWalksUnlinked: number;
  /** The user's conversation threads (replies to notifications, src/conversations/), of the user or of their subscriptions. */
  conversations: number;
  /** The messages of those threads: the user's words and the answers. */
  conversationMessages: number;
}

const n = (res: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) => Number(res.numDeletedRows ?? res.numUpdatedRows ?? 0n);

/**
 * Erases a user (GDPR Art. 17), all in one transaction: the user, their attributes, events
 * and preferences, every subscription carrying their id with its tags, and the delivery
 * records of those subscriptions.
 *
 * - `delivery_failures` rows of the subscriptions are deleted: each is one failed send to
 *   that browser (status, reason), personal and of no use once the browser is gone; the
 *   notification's own counts live in its batches and do not change.
 * - `events` rows (displayed, clicked, dismissed) are kept with the subscription id
 *   replaced by a random one per erased subscription, and their dedupe key cleared:
 *   engagement counts are "distinct subscriptions" per notification (engagementCounts),
 *   so deleting or nulling would rewrite past campaigns' click rates, while a fresh random
 *   id keeps the counts and links to nothing that exists or is kept anywhere.
 * - `send_records` rows keep their reason, variant and time (a campaign's figures) and lose
 *   the user, the subscription and the detail.
 * - A notification sent `to: {userIds}` that named the user keeps its other ids; the
 *   user's is taken out of the stored target (an unfinished fan-out would find no one
 *   under it anyway).
 */
export async function eraseUser(ctx: Context, appId: string, externalId: string): Promise<Erased> {
  return ctx.store.db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom('users').select('seq').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst();
    const subs = await tx.selectFrom('subscriptions').select(['seq', 'id']).where('app_id', '=', appId).where('user_id', '=', externalId).execute();
    // A user known to push sign-in only (no users row, no subscription) is erased all the same.
    if (!user && subs.length === 0 && !(await hasMfaUser(tx, appId, externalId))) throw new ApiError('user_not_found', `No user ${externalId} in this app`);
    const seq = user ? Number(user.seq) : -1;
    const erased: Erased = { users: 0, attributes: 0, events: 0, preferences: 0, subscriptions: 0, subscriptionTags: 0, deliveryFailures: 0, engagementUnlinked: 0, sendRecordsUnlinked: 0, targetsScrubbed: 0, alertChoices: 0, webhookMessagesScrubbed: 0, journeyRuns: 0, mfa: 0, mfaAuditUnlinked: 0, conversations: 0, conversationMessages: 0, journeyWalksUnlinked: 0 };
    const unlinked = { user_seq: null, subscription_seq: null, detail: null };
    if (user) erased.sendRecordsUnlinked += n(await tx.updateTable('send_records').set(unlinked).where('app_id', '=', appId).where('user_seq', '=', seq).executeTakeFirst());
    // Rows that would go by cascade are deleted by name, so each is counted.
    erased.attributes = n(await tx.deleteFrom('user_attributes').where('user_seq', '=', seq).executeTakeFirst());
    erased.events = n(await tx.deleteFrom('user_events').where('user_seq', '=', seq).executeTakeFirst());
    erased.preferences = n(await tx.deleteFrom('user_preferences').where('user_seq', '=', seq).executeTakeFirst());
    for (const sub of subs) {
      erased.deliveryFailures += n(await tx.deleteFrom('delivery_failures').where('subscription_id', '=', sub.id).executeTakeFirst());
      const stand = `erased_${randomBytes(12).toString('base64url')}`;
      erased.engagementUnlinked += n(await tx.updateTable('events').set({ subscription_id: stand, dedupe_key: null }).where('app_id', '=', appId).where('subscription_id', '=', sub.id).executeTakeFirst());
      erased.subscriptionTags += n(await tx.deleteFrom('subscription_tags').where('subscription_seq', '=', Number(sub.seq)).executeTakeFirst());
      erased.sendRecordsUnlinked += n(await tx.updateTable('send_records').set(unlinked).where('subscription_seq', '=', Number(sub.seq)).executeTakeFirst());
    }
    // The activity log keeps the counts (its rollups are not touched) and loses who:
    // the user's rows and their subscriptions' lose both ids (docs/analytics.md).
    await tx.updateTable('activity').set({ user_id: null, subscription_id: null }).where('app_id', '=', appId).where('user_id', '=', externalId).execute();
    if (subs.length) await tx.updateTable('activity').set({ user_id: null, subscription_id: null }).where('app_id', '=', appId).where('subscription_id', 'in', subs.map((s) => s.id)).execute();
    await tx.deleteFrom('conversion_touches').where('app_id', '=', appId).where('user_id', '=', externalId).execute();
    erased.targetsScrubbed = await scrubTargets(tx, ctx.store.caps, appId, externalId);
    erased.webhookMessagesScrubbed = await scrubWebhookMessages(tx, ctx.store.caps, appId, externalId, subs.map((s) => s.id));
    erased.alertChoices += n(await tx.deleteFrom('user_alert_zones').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst());
    erased.alertChoices += n(await tx.deleteFrom('alert_testers').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst());
    erased.alertChoices += n(await tx.deleteFrom('user_alert_locations').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst());
    ({ rows: erased.mfa, auditUnlinked: erased.mfaAuditUnlinked } = await eraseMfaUser(tx, appId, externalId));
    const threads = tx
      .selectFrom('conversations')
      .select('id')
      .where('app_id', '=', appId)
      .where((eb) => eb.or([eb('user_id', '=', externalId), ...(subs.length ? [eb('subscription_id', 'in', subs.map((s) => s.id))] : [])]));
    erased.conversationMessages = n(await tx.deleteFrom('conversation_messages').where('conversation_id', 'in', threads).executeTakeFirst());
    erased.conversations = n(await tx.deleteFrom('conversations').where('id', 'in', threads).executeTakeFirst());
    erased.journeyWalksUnlinked = await unlinkAudienceWalks(tx, ctx.store.caps, appId, externalId);
    erased.journeyRuns = n(await tx.deleteFrom('journey_runs').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst());
    // Which of the user's subscriptions clicked first (unique clicks); the counts live in the rollups.
    if (subs.length) await tx.deleteFrom('recipient_clicks').where('subscription_id', 'in', subs.map((s) => s.id)).execute();
    // An intelligent campaign's plan of when to send to the user: their best hour, learnt from their clicks.
    if (user) await tx.deleteFrom('campaign_user_plans').where('user_seq', '=', seq).where('campaign_id', 'in', (eb) => eb.selectFrom('campaigns').select('id').where('app_id', '=', appId)).execute();
    erased.subscriptions = n(await tx.deleteFrom('subscriptions').where('app_id', '=', appId).where('user_id', '=', externalId).executeTakeFirst());
    erased.users = n(await tx.deleteFrom('users').where('seq', '=', seq).executeTakeFirst());
    ctx.logger.info({ module: 'audience', appId, erased }, 'user erased');
    return erased;
  });
}

/**
 * Clears the user's id from the events that started audience walks (src/journeys/
 * audience-walk.ts): the walk goes on for its audience with the item's properties, which
 * are the sender's catalogue, not the user. Found by text, checked parsed.
 */
async function unlinkAudienceWalks(tx: Transaction<Database>, caps: DialectCapabilities, appId: string, externalId: string): Promise<number> {
  const { contains } = await audienceSql(tx, caps);
  const rows = await tx.selectFrom('journey_audience_walks').select(['id', 'event']).where('app_id', '=', appId).where(contains(sql.ref('event'), JSON.stringify(externalId))).execute();
  let unlinked = 0;
  for (const row of rows) {
    const event = JSON.parse(row.event) as { userId?: string };
    if (event.userId !== externalId) continue;
    await tx.updateTable('journey_audience_walks').set({ event: JSON.stringify({ ...event, userId: '' }) }).where('id', '=', row.id).execute();
    unlinked++;
  }
  return unlinked;
}

/**
 * Takes the user's and their subscriptions' ids out of the webhook messages the delivery
 * log keeps (for replay): a message already delivered went to the app's own systems, but
 * what Carillon keeps must not name the user. Candidates are found by their text, as in
 * scrubTargets, and only the `userId` and `subscriptionId` members holding those ids are
 * nulled, as the activity log's rows are; the rest of each body stays as it was sent.
 */
async function scrubWebhookMessages(tx: Transaction<Database>, caps: DialectCapabilities, appId: string, externalId: string, subscriptionIds: string[]): Promise<number> {
  const { contains } = await audienceSql(tx, caps);
  const needles = [externalId, ...subscriptionIds].map((id) => JSON.stringify(id));
  const rows = await tx
    .selectFrom('webhook_messages')
    .select(['id', 'type', 'body'])
    .where('app_id', '=', appId)
    .where((eb) => eb.or(needles.map((needle) => contains(sql.ref('body'), needle))))
    .execute();
  const subs = new Set(subscriptionIds);
  let scrubbed = 0;
  for (const row of rows) {
    let changed = false;
    const body = JSON.parse(row.body, (key, value: unknown) => {
      if ((key === 'userId' && value === externalId) || (key === 'subscriptionId' && typeof value === 'string' && subs.has(value))) {
        changed = true;
        return null;
      }
      return value;
    }) as unknown;
    if (!changed) continue;
    // A conversation.message is the user's own words (the message and the thread's history): kept, it would still say them.
    if (row.type === 'conversation.message') {
      const data = (body as { data?: Record<string, unknown> }).data;
      if (data) Object.assign(data, { message: null, history: [] });
    }
    await tx.updateTable('webhook_messages').set({ body: JSON.stringify(body) }).where('id', '=', row.id).execute();
    scrubbed++;
  }
  return scrubbed;
}

/**
 * Takes the user id out of the stored `to: {userIds}` of the app's notifications. The
 * target is JSON text, so the rows are found by their text (the id as JSON, which is how
 * it was stored) and each candidate is checked parsed: a title that quotes the id matches
 * the text search but has no `userIds` holding it.
 */
async function scrubTargets(tx: Transaction<Database>, caps: DialectCapabilities, appId: string, externalId: string): Promise<number> {
  const { contains } = await audienceSql(tx, caps);
  const rows = await tx.selectFrom('notifications').select(['id', 'target']).where('app_id', '=', appId).where(contains(sql.ref('target'), JSON.stringify(externalId))).execute();
  let scrubbed = 0;
  for (const row of rows) {
    const target = JSON.parse(row.target) as { userIds?: unknown };
    if (!Array.isArray(target.userIds) || !target.userIds.includes(externalId)) continue;
    target.userIds = target.userIds.filter((id) => id !== externalId);
    await tx.updateTable('notifications').set({ target: JSON.stringify(target) }).where('id', '=', row.id).execute();
    scrubbed++;
  }
  return scrubbed;
}

export interface UserExport {
  user: UserView;
  /** Without the browser's p256dh and auth keys (see exportUser). */
  subscriptions: Record<string, unknown>[];
  events: { name: string; at: string; properties: Record<string, unknown>; id: string | null; receivedAt: string }[];
  preferences: { category: string; enabled: boolean; updatedAt: string }[];
  deliveryFailures: { notificationId: string; subscriptionId: string; outcome: string; statusCode: number | null; reason: string; at: string }[];
  engagement: { type: string; notificationId: string | null; subscriptionId: string | null; action: string | null; at: string }[];
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/**
 * Everything held about a user (GDPR Art. 15 and 20), as JSON. Subscriptions are shown
 * with their endpoint or token but without the Web Push `p256dh` and `auth` keys: those
 * are the browser's key material for encrypting messages to it (RFC 8291 §2), not
 * information about the person, and an export is a file that travels (e-mail, support
 * tickets); with the endpoint, the auth secret would let whoever reads it push to that
 * browser. The export says it left them out.
 */
export async function exportUser(ctx: Context, appId: string, externalId: string): Promise<UserExport & { withheld: string[] }> {
  const db = ctx.store.db;
  const row = await db.selectFrom('users').selectAll().where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) throw new ApiError('user_not_found', `No user ${externalId} in this app`);
  const seq = Number(row.seq);
  const subs = await db.selectFrom('subscriptions').selectAll().where('app_id', '=', appId).where('user_id', '=', externalId).orderBy('seq').execute();
  const subIds = subs.map((s) => s.id);
  const [events, preferences, failures, engagement] = await Promise.all([
    db.selectFrom('user_events').selectAll().where('user_seq', '=', seq).orderBy('seq').execute(),
    db.selectFrom('user_preferences').selectAll().where('user_seq', '=', seq).orderBy('category').execute(),
    subIds.length ? db.selectFrom('delivery_failures').selectAll().where('subscription_id', 'in', subIds).orderBy('at').execute() : [],
    subIds.length ? db.selectFrom('events').selectAll().where('app_id', '=', appId).where('subscription_id', 'in', subIds).orderBy('id').execute() : [],
  ]);
  return {
    user: userView({ ...row, session_count: Number(row.session_count) }, subs.length),
    subscriptions: subs.map((s) => ({
      id: s.id,
      channel: s.channel,
      ...(CHANNELS.get(s.channel)?.view({ address: s.address, p256dh: s.p256dh, auth: s.auth, environment: s.environment, appTopic: s.app_topic }) ?? {}),
      tags: JSON.parse(s.tags),
      language: s.language,
      timezone: s.timezone,
      createdAt: iso(s.created_at),
      updatedAt: iso(s.updated_at),
    })),
    events: events.map((e) => ({ name: e.name, at: iso(e.at), properties: JSON.parse(e.properties), id: e.event_id, receivedAt: iso(e.received_at) })),
    preferences: preferences.map((p) => ({ category: p.category, enabled: Number(p.enabled) === 1, updatedAt: iso(p.updated_at) })),
    deliveryFailures: failures.map((f) => ({ notificationId: f.notification_id, subscriptionId: f.subscription_id, outcome: f.outcome, statusCode: f.status_code, reason: f.reason, at: iso(f.at) })),
    engagement: engagement.map((e) => ({ type: e.type, notificationId: e.notification_id, subscriptionId: e.subscription_id, action: e.action, at: iso(e.at) })),
    withheld: ['subscriptions[].keys: the browser’s Web Push encryption keys (p256dh, auth)'],
  };
}
