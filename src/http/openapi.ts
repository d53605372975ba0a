import { STATUS_CODES } from 'node:http';
import { ERRORS, type ErrorCode } from '../errors/catalogue.ts';
import { CHANNELS } from '../providers/registry.ts';
import type { Access } from './guards.ts';

/**
 * What the OpenAPI document at /openapi.json says beyond the request schemas: the error
 * answers of each route, derived from the one error catalogue (src/errors/catalogue.ts),
 * so that the document, docs/errors.md and the answers cannot drift apart. The document
 * is a contract: test/api/openapi-lint.test.ts lints it and test/api/openapi-fuzz.test.ts
 * checks that every answer is one it declares.
 */

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The codes a route's guard answers with before the route runs (src/http/guards.ts). */
// A dashboard session in place of a key adds its own (src/http/session-guard.ts).
const SESSION_CODES: ErrorCode[] = ['session_expired', 'csrf_invalid', 'role_forbidden'];
const GUARD_CODES: Record<Access, ErrorCode[]> = {
  admin: ['unauthorized', 'invalid_api_key', 'forbidden', ...SESSION_CODES],
  secret: ['unauthorized', 'invalid_api_key', 'forbidden', ...SESSION_CODES],
  // The publishable key is rated per client address (clientRate, clientBurst).
  publishable: ['unauthorized', 'invalid_api_key', 'forbidden', 'rate_limited', ...SESSION_CODES],
};

/** What any route with a JSON body can be refused for before it runs (src/http/problem.ts). */
const BODY_CODES: ErrorCode[] = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'];

/**
 * Response entries for the given catalogue codes, one per HTTP status, each an RFC 9457
 * problem whose `code` is one of the codes listed for that status.
 *
 *   response: { 200: App, ...problems('invalid_request', 'app_not_found') }
 *   // => { 200: App, 400: problem with code invalid_request, 404: ... app_not_found }
 *
 * Fastify also serializes a route's error answers with these schemas; `Problem` admits
 * further members, so those a code adds (`errors`, `retryAfter`, `maxBytes`) are kept.
 */
export function problems(...codes: ErrorCode[]): Record<number, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, object> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: list.map((code) => `\`${code}\`: ${ERRORS[code].title}`).join('; '),
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: { type: 'object', allOf: [{ $ref: 'Problem#' }], properties: { code: { type: 'string', enum: list } } },
        },
      },
    };
  }
  return responses;
}

/**
 * The error answers of a guarded route: its guard's codes, `invalid_request` when it has
 * path or query parameters or a body, the body codes when it takes a body, and its own.
 */
export function guardedProblems(access: Access, opts: { body?: boolean; params?: boolean }, ...own: ErrorCode[]): Record<number, object> {
  return problems(...GUARD_CODES[access], ...(opts.params ? (['invalid_request'] as const) : []), ...(opts.body ? BODY_CODES : []), ...own);
}

/** A 204 answer: no body (RFC 9110 §15.3.5). */
export const NO_CONTENT = { 204: { description: 'Done; no body', type: 'null' } } as const;

/** Marks a route that needs no API key: the document's `security` is empty for it. */
export const PUBLIC = { security: [] } as const;

/**
 * OpenAPI 3.1: its schemas are JSON Schema 2020-12, so what the route schemas check (for
 * example `propertyNames` on tag keys) can be said in the document; 3.0 has no keyword
 * for a rule on map keys.
 */
export const OPENAPI_VERSION = '3.1.0';

/** As package.json says; a test holds the two equal. */
export const LICENSE = { name: 'Apache-2.0', identifier: 'Apache-2.0' } as const;

export const TAGS = [
  { name: 'apps', description: 'Apps, their VAPID keys, API keys and identity secret' },
  { name: 'subscriptions', description: 'Browsers and devices that receive an app’s notifications' },
  { name: 'users', description: 'The people behind subscriptions: attributes, sessions, import, export and erasure' },
  { name: 'notifications', description: 'Sending, and what became of each send' },
  { name: 'campaigns', description: 'Notifications to an audience with personal, localised content, a schedule, caps and variants' },
  { name: 'audience', description: 'Users, their attributes and what they did; segments (saved audience filters) and audience sizes' },
  { name: 'analytics', description: 'What browsers report: opt-in steps, displays, clicks' },
  { name: 'credentials', description: 'APNs and FCM credentials of an app' },
  { name: 'alerts', description: 'Civic alerts: CAP 1.2 in, who each alert reaches, Update and Cancel' },
  { name: 'webhooks', description: 'Outgoing webhooks: endpoints, signing secrets, the delivery log and replay' },
  { name: 'sdk', description: 'The browser SDK and its service worker' },
  { name: 'operations', description: 'Probes, metrics, the queue and the error catalogue' },
  { name: 'operators', description: 'Dashboard operators: sign-in, sessions, second factor, accounts and their roles on apps' },
  { name: 'journeys', description: 'Event- and time-driven automations: per-user runs that wait, branch, send and stop when the goal is met' },
  { name: 'mfa', description: 'Push sign-in approval: enrolled devices, challenges with a code, device-signed answers, defences and audit' },
  { name: 'conversations', description: 'Replies to notifications: threads, the app’s answers pushed back into them, the built-in assistant’s knowledge base' },
];

/** The server the document describes: the configured public URL, else this origin. */
export function documentServers(publicUrl: string): { url: string; description: string }[] {
  const url = publicUrl.replace(/\/+$/, '');
  return [url ? { url, description: 'This installation (publicUrl)' } : { url: '/', description: 'The origin that served this document' }];
}

type Doc = { paths?: Record<string, Record<string, any>> };

/** As the send route checks it (src/http/routes/notifications.ts); answered `invalid_idempotency_key` otherwise. */
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes a retry safe: the same key and body answer the same id and send nothing twice',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};

/**
 * Says in the document what is checked outside the request schemas, where a schema keyword
 * would change the answer: an unknown `channel` is refused as `unsupported_channel` (by
 * the channel registry, which names the channels it has) and a malformed Idempotency-Key
 * as `invalid_idempotency_key`, not as `invalid_request`.
 * test/api/openapi-fuzz.test.ts sends both and holds the answers to the document.
 */
export function finishDocument<T extends object>(doc: T): T {
  const paths = (doc as Doc).paths ?? {};
  // Only when the API routes are registered (a worker-only process documents probes alone).
  const channel = paths['/v1/apps/{appId}/subscriptions']?.post?.requestBody?.content?.['application/json']?.schema?.properties?.channel;
  if (channel) channel.enum = [...CHANNELS.keys()];
  const send = paths['/v1/apps/{appId}/notifications']?.post;
  if (send) send.parameters = [...(send.parameters ?? []), IDEMPOTENCY_KEY];
  // A success answer without a description of its own is named by its status (RFC 9110 §15).
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const [status, response] of Object.entries((op?.responses ?? {}) as Record<string, { description?: string }>)) {
        if (response.description === 'Default Response') response.description = STATUS_CODES[status] ?? status;
      }
    }
  }
  return doc;
}
