import type { Context } from '../context.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import { EndpointRejectedError, TransportError, type PushRequest, type PushResponse } from '../transport/index.ts';
import { signedHeaders } from '../webhooks/signature.ts';
import type { TriggerEvent } from './user-facts.ts';

/** What sends a journey's webhook calls: the outgoing webhooks' own transport (src/webhooks/index.ts), whose every connection is checked against the private-address rule. */
export interface JourneyWebhookTransport {
  send(request: PushRequest): Promise<PushResponse>;
}

const transports = new WeakMap<Context, JourneyWebhookTransport>();

/** Wires the transport of a runtime's journeys (jobs.ts): the steps of runs moved with `ctx` call through it. */
export function useWebhookTransport(ctx: Context, transport: JourneyWebhookTransport): void {
  transports.set(ctx, transport);
}

/**
 * ms; the delays before each retry of a webhook step: a call the app's server did not take
 * is tried again 10 s, 1 min, 10 min and 1 h later (five attempts over about 71 minutes). A
 * journey is about timing, so the run does not wait a day as an activity webhook does; after
 * the last the run goes on without it (docs/journeys.md, webhook steps).
 */
export const WEBHOOK_STEP_RETRIES_MS: readonly number[] = [10_000, 60_000, 600_000, 3_600_000];

/** ms; a step's own `timeoutMs` bounds: under the outgoing webhooks' connection timeout (webhookTimeout), which cuts the request at the latest. */
export const WEBHOOK_STEP_TIMEOUT = { min: 100, max: 10_000, default: 5_000 } as const;

type WebhookStep = { url: string; timeoutMs?: number };

/** What became of an attempt: taken (2xx), to be tried again at an instant, or given up on. */
export type WebhookOutcome = { called: number } | { retryAt: number; attempt: number; error: string } | { failed: string; attempts: number };

/** SecretBox.mac contexts of the two halves of an app's journey-webhook secret. */
const SECRET_CONTEXTS = ['journey-webhook-secret:1', 'journey-webhook-secret:2'] as const;

/**
 * The app's journey-webhook signing secret, `whsec_` + base64 of 32 bytes (Standard Webhooks
 * asks for 24 to 64): derived from the installation's master key and the app's id, so
 * nothing is stored and every process signs alike. Answered with a journey saved with a
 * webhook step; a new master key gives a new secret.
 */
export function journeyWebhookSecret(ctx: Context, appId: string): string {
  const bytes = Buffer.concat(SECRET_CONTEXTS.map((c) => Buffer.from(ctx.secrets.mac(appId, c), 'base64url')));
  return `whsec_${bytes.toString('base64')}`;
}

/**
 * The step key a receiver dedupes on: the same for every attempt of one step of one run
 * (Standard Webhooks' `webhook-id`, and `carillon-journey-step`), so a call made again after
 * a crash between the call and the run's move is recognised as the same one.
 */
export function webhookStepKey(run: JourneyRun): string {
  return `jrn_step_${run.journey_id}_${run.id}_${run.step!.replace(/\//g, '.')}`;
}

/**
 * A run's webhook step, now: one signed POST of `{type: "journey.webhook", timestamp, data:
 * {journeyId, version, runId, step, user, event}}` to the step's URL. 2xx is taken; anything
 * else (a status, a timeout, an address refused) is tried again on WEBHOOK_STEP_RETRIES_MS,
 * and given up on after the last.
 */
export async function callWebhookStep(ctx: Context, run: JourneyRun, step: WebhookStep, event: TriggerEvent): Promise<WebhookOutcome> {
  const transport = transports.get(ctx);
  // The failed attempts of this step so far, kept with the run (its timeline is capped: no count).
  const attempt = run.attempts + 1;
  const now = ctx.now();
  const user = await ctx.store.db.selectFrom('users').selectAll().where('seq', '=', run.user_seq).executeTakeFirst();
  const body = JSON.stringify({
    type: 'journey.webhook',
    timestamp: new Date(now).toISOString(),
    data: {
      journeyId: run.journey_id,
      version: run.version,
      runId: String(run.id),
      step: run.step,
      attempt,
      user: user
        ? { id: user.external_id, language: user.language, timezone: user.timezone, country: user.country, attributes: JSON.parse(user.attributes) as Record<string, unknown> }
        : { id: run.external_id },
      event: { name: event.name, at: new Date(event.at).toISOString(), properties: event.properties },
    },
  });
  const key = webhookStepKey(run);
  const headers = { 'content-type': 'application/json', 'user-agent': 'Carillon-Webhooks/1', 'carillon-journey-step': key, ...signedHeaders([journeyWebhookSecret(ctx, run.app_id)], key, now, body) };
  const error = transport ? await attempt1(transport, { url: step.url, headers, body: new TextEncoder().encode(body) }, step.timeoutMs ?? WEBHOOK_STEP_TIMEOUT.default) : 'no webhook transport in this process';
  if (error === null) return { called: attempt };
  const delay = WEBHOOK_STEP_RETRIES_MS[attempt - 1];
  if (delay === undefined) return { failed: error, attempts: attempt };
  return { retryAt: ctx.now() + delay, attempt, error };
}

/** One request; null when it was taken, else why not (never the request, whose headers carry the signature). */
async function attempt1(transport: JourneyWebhookTransport, request: PushRequest, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`timeout: no answer within ${timeoutMs} ms`), timeoutMs)));
  try {
    const answer = transport.send(request).then(
      (res) => (res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`),
      (err: unknown) => {
        if (err instanceof EndpointRejectedError) return `rejected: ${err.reason}`;
        if (err instanceof TransportError) return `${err.code}: ${err.message}`;
        throw err;
      },
    );
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
