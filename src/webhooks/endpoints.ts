import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { ApiError } from '../errors/api-error.ts';
import { lastActivitySeq } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';
import type { WebhookEndpointsTable } from '../store/schema-webhooks.ts';
import { decodeWebhookCursor, encodeWebhookCursor } from './webhook-cursor.ts';
import type { RotateInput, WebhookInput, WebhookPatch } from './webhook-input.ts';
import { checkWebhookUrl } from './webhook-url.ts';
import { generateSecret } from './signature.ts';

export type EndpointRow = WebhookEndpointsTable;

/** An endpoint as the API shows it; the secret only once, when it is made or rotated. */
export interface WebhookView {
  id: string;
  url: string;
  description: string;
  events: string[] | 'all';
  enabled: boolean;
  batchSize: number;
  /** Why Carillon disabled it: `gone` (it answered 410) or `failing` (it failed for longer than webhookDisableAfter); null otherwise. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** When the current run of failures began; null while it succeeds. */
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function endpointView(r: EndpointRow): WebhookView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events === null ? 'all' : (JSON.parse(r.events) as string[]),
    enabled: Number(r.enabled) === 1,
    batchSize: r.batch_size,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at === null ? null : Number(r.disabled_at)),
    failingSince: iso(r.failing_since === null ? null : Number(r.failing_since)),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}

/** The AAD a secret is sealed under: a sealed value copied to another endpoint does not open there. */
const sealContext = (id: string): string => `webhook:${id}:secret`;

/**
 * The secrets that sign a message sent at `now`: the current one, and the previous one
 * while its grace period lasts (Standard Webhooks: several signatures, space-delimited).
 */
export function signingSecrets(secrets: SecretBox, r: EndpointRow, now: number): string[] {
  const current = secrets.open(r.secret, sealContext(r.id));
  if (r.previous_secret !== null && r.previous_secret_until !== null && now < Number(r.previous_secret_until)) {
    return [current, secrets.open(r.previous_secret, sealContext(r.id))];
  }
  return [current];
}

/** The stored events column: null for every type. */
const eventsColumn = (events: WebhookInput['events']): string | null => (events === undefined || events === 'all' ? null : JSON.stringify(events));

/**
 * Registers an endpoint. It receives what happens from now on: its cursor starts at the
 * end of the activity log. The secret is returned here and never again.
 */
export async function createWebhook(ctx: Context, appId: string, input: WebhookInput): Promise<WebhookView & { secret: string }> {
  const url = checkWebhookUrl(input.url, ctx.config.allowPrivateEndpoints);
  const now = ctx.now();
  const id = newId('wh');
  const secret = generateSecret();
  const row: EndpointRow = {
    id,
    app_id: appId,
    url,
    description: input.description ?? '',
    events: eventsColumn(input.events),
    enabled: input.enabled === false ? 0 : 1,
    batch_size: input.batchSize ?? 1,
    secret: ctx.secrets.seal(secret, sealContext(id)),
    previous_secret: null,
    previous_secret_until: null,
    cursor_seq: await lastActivitySeq(ctx.store.db),
    failing_since: null,
    disabled_reason: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.db.insertInto('webhook_endpoints').values(row).execute();
  return { ...endpointView(row), secret };
}

export async function findEndpoint(db: Kysely<Database>, appId: string, id: string): Promise<EndpointRow> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('webhook_not_found', `No webhook endpoint ${id} in this app`);
  return row;
}

export async function getWebhook(ctx: Context, appId: string, id: string): Promise<WebhookView> {
  return endpointView(await findEndpoint(ctx.store.db, appId, id));
}

/** A page of the app's endpoints, oldest first; `next` is the cursor of the page after, null on the last. */
export async function listWebhooks(ctx: Context, appId: string, opts: { limit: number; cursor?: string }): Promise<{ data: WebhookView[]; next: string | null }> {
  let q = ctx.store.db.selectFrom('webhook_endpoints').selectAll().where('app_id', '=', appId);
  if (opts.cursor !== undefined) {
    const after = decodeWebhookCursor(opts.cursor, 'wh');
    q = q.where((eb) => eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]));
  }
  const rows = await q.orderBy('created_at').orderBy('id').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: page.map(endpointView), next: rows.length > opts.limit && last ? encodeWebhookCursor('wh', Number(last.created_at), last.id) : null };
}

/** Changes an endpoint. Enabling it again clears what disabled it; it resumes reading where it stopped. */
export async function updateWebhook(ctx: Context, appId: string, id: string, patch: WebhookPatch): Promise<WebhookView> {
  const url = patch.url === undefined ? undefined : checkWebhookUrl(patch.url, ctx.config.allowPrivateEndpoints);
  await findEndpoint(ctx.store.db, appId, id);
  const set: Partial<EndpointRow> = { updated_at: ctx.now() };
  if (url !== undefined) set.url = url;
  if (patch.events !== undefined) set.events = eventsColumn(patch.events);
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.batchSize !== undefined) set.batch_size = patch.batchSize;
  if (patch.enabled !== undefined) {
    set.enabled = patch.enabled ? 1 : 0;
    if (patch.enabled) Object.assign(set, { disabled_reason: null, disabled_at: null, failing_since: null });
  }
  await ctx.store.db.updateTable('webhook_endpoints').set(set).where('app_id', '=', appId).where('id', '=', id).execute();
  return getWebhook(ctx, appId, id);
}

/** Deletes an endpoint and its delivery log; its queued attempts find nothing and end. */
export async function deleteWebhook(ctx: Context, appId: string, id: string): Promise<void> {
  const res = await ctx.store.db.deleteFrom('webhook_endpoints').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new ApiError('webhook_not_found', `No webhook endpoint ${id} in this app`);
}

/**
 * Makes a new secret; the current one goes on signing beside it for the grace period
 * (`webhook-signature` then carries two `v1,` signatures), so a receiver can switch
 * without a message it cannot verify. A rotation during a grace period ends the older one.
 */
export async function rotateSecret(ctx: Context, appId: string, id: string, input: RotateInput): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const row = await findEndpoint(ctx.store.db, appId, id);
  const now = ctx.now();
  const until = now + (input.gracePeriod !== undefined ? input.gracePeriod * 1000 : ctx.config.webhookSecretGrace);
  const secret = generateSecret();
  const current = ctx.secrets.open(row.secret, sealContext(id));
  await ctx.store.db
    .updateTable('webhook_endpoints')
    .set({ secret: ctx.secrets.seal(secret, sealContext(id)), previous_secret: ctx.secrets.seal(current, sealContext(id)), previous_secret_until: until, updated_at: now })
    .where('id', '=', id)
    .where('secret', '=', row.secret)
    .execute();
  return { secret, previousSecretExpiresAt: new Date(until).toISOString() };
}
