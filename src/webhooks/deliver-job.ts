import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { Job } from '../queue/queue.ts';
import { EndpointRejectedError, TransportError, parseRetryAfter, type PushRequest, type PushResponse } from '../transport/index.ts';
import { disableEndpoint } from './disable.ts';
import { responseExcerpt } from './attempt-log.ts';
import { attemptJob, WEBHOOK_JOB, type WebhookJobData } from './enqueue.ts';
import { signingSecrets } from './endpoints.ts';
import { signedHeaders } from './signature.ts';
import type { WebhookMetrics } from './metrics.ts';
import type { DeliveredResponse, WebhookResponseHooks } from './response-hook.ts';
import { MAX_RETRY_AFTER_MS, nextAttemptDelay } from './retry-schedule.ts';

/** What sends a webhook request: src/transport's PushTransport (checked addresses, timeouts, no redirects). */
export interface WebhookTransport {
  send(request: PushRequest): Promise<PushResponse>;
}

export interface WebhookDeps {
  transport: WebhookTransport;
  metrics?: WebhookMetrics;
  /** What a 2xx answer's body means, by event type (./response-hook.ts); none by default. */
  responseHooks?: WebhookResponseHooks;
}

/** What one attempt came to. `status` is the HTTP status, or null when no answer came. */
interface AttemptResult {
  status: number | null;
  /** The metrics label: the status, or `timeout`, `rejected` (a non-public address), `error`. */
  label: string;
  error: string | null;
  retryAfterMs: number | undefined;
  /** The start of the answer's body (./attempt-log.ts); null when none came. */
  response: string | null;
  /** The answer as it came, for a response hook; undefined when none came. */
  answered?: DeliveredResponse;
}

const encoder = new TextEncoder();

/**
 * The job that makes one attempt of one webhook message, and decides what comes next:
 * delivered on 2xx; the endpoint disabled on 410 (RFC 9110 §15.5.11: gone for good);
 * otherwise the next attempt on the retry schedule (./retry-schedule.ts), `Retry-After`
 * honoured, until the schedule is spent. The outcome is written only if the message is
 * still at the attempt and the replay this job makes (a compare-and-set on `attempts` and
 * `replays`), so a job that ran twice, or an attempt overtaken by a replay (also one in
 * flight when the replay was asked for), records nothing. A crash before
 * that write leaves the job to run again: at least once.
 */
export function webhookDeliverJob(ctx: Context, deps: WebhookDeps): JobKind {
  const logger = ctx.logger.child({ module: 'webhooks' });
  return {
    name: WEBHOOK_JOB,
    handler: (job) => deliverAttempt(ctx, deps, logger, job),
    // A pending message whose attempt was due long ago lost its job (a Redis restarted
    // without its data); its key is that attempt's, so a job still queued absorbs it.
    async reconcile(before) {
      const rows = await ctx.store.db.selectFrom('webhook_messages').select(['id', 'attempts', 'replays']).where('status', '=', 'pending').where('next_attempt_at', '<', before).limit(1000).execute();
      return rows.map((r) => attemptJob({ messageId: r.id, attempt: r.attempts, replay: r.replays }, ctx.now()));
    },
  };
}

async function deliverAttempt(ctx: Context, deps: WebhookDeps, logger: Logger, job: Job): Promise<void> {
  const data = job.data as WebhookJobData;
  const db = ctx.store.db;
  const msg = await db.selectFrom('webhook_messages').selectAll().where('id', '=', data.messageId).executeTakeFirst();
  const replay = data.replay;
  if (!msg || msg.status !== 'pending' || msg.attempts !== data.attempt || msg.replays !== replay) return;
  const endpoint = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', msg.endpoint_id).executeTakeFirst();
  if (!endpoint) return;
  if (Number(endpoint.enabled) !== 1) {
    await db
      .updateTable('webhook_messages')
      .set({ status: 'failed', next_attempt_at: null, last_error: 'endpoint disabled' })
      .where('id', '=', msg.id)
      .where('attempts', '=', data.attempt)
      .where('replays', '=', replay)
      .execute();
    return;
  }

  const sentAt = ctx.now();
  const headers = { 'content-type': 'application/json', 'user-agent': 'Carillon-Webhooks/1', ...signedHeaders(signingSecrets(ctx.secrets, endpoint, sentAt), msg.id, sentAt, msg.body) };
  const started = performance.now();
  const result = await attempt(deps.transport, { url: endpoint.url, headers, body: encoder.encode(msg.body) }, sentAt);
  const durationMs = Math.round(performance.now() - started);
  const now = ctx.now();
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const gone = result.status === 410;
  const failedInRound = data.attempt + 1 - msg.round;
  const delay = ok || gone ? undefined : nextAttemptDelay(failedInRound, result.retryAfterMs);
  const status = ok ? 'delivered' : delay === undefined ? 'failed' : 'pending';
  deps.metrics?.observeAttempt(endpoint.id, result.label, ok, sentAt - Number(msg.event_at));

  await db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('webhook_messages')
      .set({
        status,
        attempts: data.attempt + 1,
        last_attempt_at: sentAt,
        last_status: result.status,
        last_duration_ms: durationMs,
        last_error: result.error,
        next_attempt_at: delay === undefined ? null : now + delay,
        delivered_at: ok ? now : null,
      })
      .where('id', '=', msg.id)
      .where('attempts', '=', data.attempt)
      .where('replays', '=', replay)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return;
    const hook = ok && result.answered ? deps.responseHooks?.[msg.type] : undefined;
    const note = hook ? await hook.delivered(tx, msg, result.answered!, now) : undefined;
    // The attempt's own line of the delivery log, with the outcome it records (migration 025).
    await tx
      .insertInto('webhook_attempts')
      .values({
        message_id: msg.id,
        attempt: data.attempt + 1,
        replay,
        attempted_at: sentAt,
        status: result.status,
        error: result.error,
        duration_ms: durationMs,
        response: result.response,
        answer: note ? JSON.stringify(note) : null,
        next_attempt_at: delay === undefined ? null : now + delay,
      })
      .execute();
    if (ok) {
      await tx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', endpoint.id).where('failing_since', 'is not', null).execute();
      return;
    }
    if (delay !== undefined) await ctx.queue.add([attemptJob({ messageId: msg.id, attempt: data.attempt + 1, replay }, now + delay)], tx);
    if (gone) {
      if (await disableEndpoint(tx, ctx.queue, endpoint.id, 'gone', now)) logger.warn({ endpoint: endpoint.id, app: endpoint.app_id }, 'webhook endpoint answered 410: disabled');
      return;
    }
    await tx.updateTable('webhook_endpoints').set({ failing_since: sentAt }).where('id', '=', endpoint.id).where('failing_since', 'is', null).execute();
    const since = endpoint.failing_since === null ? sentAt : Number(endpoint.failing_since);
    if (now - since >= ctx.config.webhookDisableAfter && (await disableEndpoint(tx, ctx.queue, endpoint.id, 'failing', now))) {
      logger.warn({ endpoint: endpoint.id, app: endpoint.app_id, failingSince: new Date(since).toISOString() }, 'webhook endpoint failing too long: disabled');
    }
  });
}

async function attempt(transport: WebhookTransport, request: PushRequest, now: number): Promise<AttemptResult> {
  try {
    const res = await transport.send(request);
    return {
      status: res.status,
      label: String(res.status),
      error: res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`,
      retryAfterMs: parseRetryAfter(res.headers['retry-after'], now, MAX_RETRY_AFTER_MS),
      response: responseExcerpt(res.body),
      answered: { status: res.status, headers: res.headers, body: res.body },
    };
  } catch (err) {
    // Only what explains the failure is kept: never the request, whose headers carry signatures.
    if (err instanceof EndpointRejectedError) return { status: null, label: 'rejected', error: `${err.reason}: ${err.message}`, retryAfterMs: undefined, response: null };
    if (err instanceof TransportError) return { status: null, label: err.code === 'timeout' ? 'timeout' : 'error', error: `${err.code}: ${err.message}`, retryAfterMs: undefined, response: null };
    throw err;
  }
}
