/**
 * The counterpart of the server's error catalogue (src/errors/catalogue.ts): the codes the
 * API answers with, so a site can switch on `err.code`. A test checks that the two lists
 * are equal; a new server code is added here in the same change.
 */
export const ERRORS = {
  invalid_request: { status: 400, title: 'The request does not match the API schema' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  json_too_deep: { status: 400, title: 'The request body nests too deep' },
  invalid_unicode: { status: 400, title: 'The request holds text that is not well-formed Unicode' },
  malformed_request: { status: 400, title: 'The request is not well-formed HTTP' },
  invalid_url: { status: 400, title: 'The request URL cannot be decoded' },
  request_timeout: { status: 408, title: 'The request was not received in time' },
  uri_too_long: { status: 414, title: 'The request URL is too long' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  unauthorized: { status: 401, title: 'An API key is required' },
  invalid_api_key: { status: 401, title: 'The API key is not valid' },
  forbidden: { status: 403, title: 'This API key may not do that' },
  identity_not_verified: { status: 403, title: 'The user id is not proven by its hash' },
  identity_secret_missing: { status: 409, title: 'The app has no identity secret' },
  not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'The path does not answer this method' },
  app_not_found: { status: 404, title: 'No such app' },
  subscription_not_found: { status: 404, title: 'No such subscription' },
  notification_not_found: { status: 404, title: 'No such notification' },
  unsupported_channel: { status: 400, title: 'The channel is not supported' },
  invalid_subscription_keys: { status: 400, title: 'The subscription keys are not valid' },
  endpoint_rejected: { status: 400, title: 'The push endpoint is not allowed' },
  invalid_device_token: { status: 400, title: 'The device token is not valid' },
  credentials_invalid: { status: 400, title: 'The push credentials are not valid' },
  credentials_not_found: { status: 404, title: 'No such push credentials' },
  critical_alert_not_allowed: { status: 403, title: 'Critical alerts are for civic alerts only' },
  invalid_vapid_subject: { status: 400, title: 'The VAPID subject is not valid' },
  invalid_topic: { status: 400, title: 'The topic is not valid' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is not valid' },
  invalid_send_at: { status: 400, title: 'sendAt is not a valid time' },
  payload_too_large: { status: 413, title: 'The notification does not fit in a push message' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be JSON' },
  rate_limited: { status: 429, title: 'Too many requests' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  invalid_idempotency_key: { status: 400, title: 'The Idempotency-Key header is not valid' },
  invalid_event: { status: 400, title: 'An event does not fit its type' },
  invalid_event_user: { status: 400, title: 'The event’s user id is not valid' },
  event_user_not_allowed: { status: 403, title: 'The event is for another user than the one proven' },
  invalid_event_name: { status: 400, title: 'The event name is not valid' },
  invalid_event_id: { status: 400, title: 'The event id is not valid' },
  invalid_event_time: { status: 400, title: 'The event time is not an RFC 3339 date-time' },
  event_in_future: { status: 400, title: 'The event time is in the future' },
  event_expired: { status: 400, title: 'The event is older than the retention' },
  invalid_event_property: { status: 400, title: 'An event property is not valid' },
  event_properties_too_large: { status: 400, title: 'The event has too many properties or too much in them' },
  unknown_category: { status: 400, title: 'The category is not one of the app’s' },
  category_reserved: { status: 400, title: 'The category name is built in' },
  category_always_on: { status: 403, title: 'This category cannot be turned off' },
  user_not_found: { status: 404, title: 'No such user' },
  invalid_attribute: { status: 400, title: 'A user attribute is not valid' },
  too_many_attributes: { status: 400, title: 'The user would have too many attributes' },
  invalid_language: { status: 400, title: 'The language is not a well-formed BCP 47 tag' },
  invalid_timezone: { status: 400, title: 'The time zone is not an IANA time zone' },
  invalid_country: { status: 400, title: 'The country is not an ISO 3166-1 alpha-2 code' },
  attribute_not_writable: { status: 403, title: 'The publishable key may not set this field' },
  invalid_filter: { status: 400, title: 'The audience filter is not valid' },
  filter_too_complex: { status: 400, title: 'The audience filter is over a limit' },
  unknown_segment: { status: 422, title: 'The filter names a segment that does not exist' },
  segment_cycle: { status: 422, title: 'The filter refers to itself through its segments' },
  push_recipient_full: { status: 429, title: 'The push subscription holds all the messages it may' },
  push_service_full: { status: 429, title: 'The push service holds all the messages it may' },
  segment_not_found: { status: 404, title: 'No such segment' },
  segment_in_use: { status: 409, title: 'Other segments name this segment' },
  campaign_not_found: { status: 404, title: 'No such campaign' },
  campaign_not_editable: { status: 409, title: 'The campaign can no longer be changed' },
  campaign_status: { status: 409, title: 'The campaign cannot do that in its status' },
  campaign_option_unavailable: { status: 501, title: 'This campaign option is not available yet' },
  invalid_cap_rules: { status: 400, title: 'The frequency cap rules are not valid' },
  invalid_variants: { status: 400, title: 'The A/B variants are not valid' },
  sdk_unavailable: { status: 503, title: 'The browser SDK is not available' },
  shutting_down: { status: 503, title: 'The server is shutting down' },
  not_ready: { status: 503, title: 'The server is not ready' },
  internal: { status: 500, title: 'Internal server error' },
  invalid_schedule: { status: 400, title: 'The campaign schedule is not valid' },
  invalid_quiet_hours: { status: 400, title: 'The quiet hours are not valid' },
  template_invalid: { status: 422, title: 'A template of the content is not valid' },
  invalid_content_language: { status: 400, title: 'A language of the content is not valid' },
  cap_refused: { status: 400, title: 'The CAP document was refused unread' },
  cap_malformed: { status: 400, title: 'The CAP document is not well-formed XML' },
  cap_invalid: { status: 422, title: 'The document is not a valid CAP 1.2 alert' },
  cap_signature_invalid: { status: 422, title: 'The CAP document does not carry a valid trusted signature' },
  alert_not_found: { status: 404, title: 'No such alert' },
  invalid_credentials: { status: 401, title: 'The email or password is wrong' },
  totp_required: { status: 401, title: 'A second-factor code is required' },
  invalid_totp: { status: 401, title: 'The second-factor code is wrong' },
  session_required: { status: 401, title: 'An operator session is required' },
  session_expired: { status: 401, title: 'The session has ended' },
  csrf_invalid: { status: 403, title: 'The CSRF token is missing or wrong' },
  role_forbidden: { status: 403, title: 'Your role on this app does not allow that' },
  setup_link_invalid: { status: 401, title: 'The setup link is unknown, used or expired' },
  operator_exists: { status: 409, title: 'An operator with this email exists' },
  operator_not_found: { status: 404, title: 'No such operator' },
  weak_password: { status: 400, title: 'The password is too short' },
  totp_not_pending: { status: 409, title: 'No second factor is being enrolled' },
  totp_enabled: { status: 409, title: 'A second factor is already set' },
  invalid_conversion: { status: 400, title: 'The conversion events or window are not valid' },
  invalid_analytics_query: { status: 400, title: 'The analytics query is not valid' },
  webhook_not_found: { status: 404, title: 'No such webhook endpoint' },
  webhook_url_rejected: { status: 400, title: 'The webhook URL is not allowed' },
  webhook_message_not_found: { status: 404, title: 'No such webhook message' },
  invalid_replay_range: { status: 400, title: 'The replay range is not valid' },
  api_key_not_found: { status: 404, title: 'No such API key' },
  last_secret_key: { status: 409, title: 'The app’s last secret key cannot be revoked' },
  dead_letter_not_found: { status: 404, title: 'No such failed job' },
  alert_feed_not_found: { status: 404, title: 'No such alert feed' },
  alert_feed_url_rejected: { status: 400, title: 'The alert feed URL is not allowed' },
  too_many_alert_feeds: { status: 409, title: 'The app has as many alert feeds as it may' },
  alert_page_not_found: { status: 404, title: 'No public alert page here' },
  geocode_table_not_found: { status: 404, title: 'No such geocode table' },
  invalid_geocode_table: { status: 422, title: 'The geocode table is not valid GeoJSON of polygons' },
  journey_not_found: { status: 404, title: 'No such journey' },
  invalid_journey: { status: 400, title: 'The journey is not valid' },
  journey_status: { status: 409, title: 'The journey cannot do that in its status' },
  identity_verification_required: { status: 403, title: 'This needs an app that verifies user ids' },
  journey_version_not_found: { status: 404, title: 'The journey has no such version' },
  invalid_simulation: { status: 400, title: 'The journey simulation is not valid' },
  invalid_migration: { status: 400, title: 'The journey migration is not valid' },
  enrollment_token_invalid: { status: 401, title: 'The enrollment token is unknown, used or expired' },
  device_key_invalid: { status: 400, title: 'The device key is not a P-256 public key' },
  device_not_found: { status: 404, title: 'No such device' },
  challenge_not_found: { status: 404, title: 'No such sign-in challenge' },
  device_signature_invalid: { status: 401, title: 'The device signature does not verify' },
  signed_request_replayed: { status: 409, title: 'The signed request was used before' },
  signed_request_expired: { status: 401, title: 'The signed request has expired or lives too long' },
  challenge_closed: { status: 409, title: 'The sign-in challenge is no longer pending' },
  no_enrolled_device: { status: 409, title: 'The user has no enrolled device' },
  sign_in_locked: { status: 423, title: 'Push sign-in is locked for this user' },
  sign_in_push_limit: { status: 429, title: 'Too many sign-in pushes since the last success' },
  sign_in_backoff: { status: 429, title: 'Too many failed sign-ins; wait before the next' },
  invalid_knowledge_base: { status: 400, title: 'The assistant’s knowledge base is not valid' },
  totp_not_enrolled: { status: 404, title: 'The user has no TOTP authenticator' },
  totp_confirmation_failed: { status: 400, title: 'The code does not confirm the TOTP authenticator' },
  otp_not_found: { status: 404, title: 'No such one-time code' },
  otp_push_limit: { status: 429, title: 'Too many one-time code pushes since the last success' },
  reply_token_invalid: { status: 401, title: 'The reply token is not valid' },
  reply_token_expired: { status: 401, title: 'The reply token has expired' },
  reply_too_long: { status: 413, title: 'The reply is too long' },
  reply_client_id_reused: { status: 409, title: 'The client id was used for another reply' },
  reply_choice_unknown: { status: 400, title: 'The choice is not a button of the thread’s latest answer' },
  reply_choice_taken: { status: 409, title: 'A button of the thread’s latest answer was chosen already' },
  conversation_not_found: { status: 404, title: 'No such conversation' },
  conversation_closed: { status: 409, title: 'The conversation is closed' },
  conversation_full: { status: 409, title: 'The conversation takes no more replies' },
  conversation_held: { status: 409, title: 'A person holds the conversation' },
  knowledge_base_not_found: { status: 404, title: 'The app has no knowledge base' },
} as const;

/** Codes of failures that happen in the browser, before or instead of an API answer. */
export const CLIENT_ERRORS = {
  unsupported: { status: 0, title: 'This browser cannot receive web push notifications here' },
  network_error: { status: 0, title: 'The Carillon server could not be reached' },
  invalid_options: { status: 0, title: 'Carillon.init() options are not valid' },
  user_required: { status: 0, title: 'This needs the signed-in user: call setUserId() first' },
  location_denied: { status: 0, title: 'The user did not allow this site to know their position' },
  location_unavailable: { status: 0, title: 'The browser could not tell its position' },
} as const;

export type ServerErrorCode = keyof typeof ERRORS;
export type ClientErrorCode = keyof typeof CLIENT_ERRORS;
/** A code of either list; a newer server may answer one this SDK does not list yet. */
export type ErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

const ALL_ERRORS: Record<string, { status: number; title: string } | undefined> = { ...ERRORS, ...CLIENT_ERRORS };

/** What the API answers on failure: RFC 9457 problem details with a catalogue code. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [member: string]: unknown;
}

/**
 * An error from the SDK: `code` is stable (a server code, or a client one); `status` is the
 * HTTP status, 0 when there was no answer.
 *
 *   try { await carillon.setTags({ plan: 'pro' }) } catch (err) {
 *     if (err instanceof CarillonError && err.code === 'network_error') retryLater()
 *   }
 */
export class CarillonError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(code: ErrorCode, detail?: string, status?: number, problem?: Problem) {
    const spec = ALL_ERRORS[code];
    super(detail ?? spec?.title ?? code);
    this.name = 'CarillonError';
    this.code = code;
    this.status = status ?? spec?.status ?? 0;
    this.problem = problem;
  }

  /** The error for an API answer; one without a problem body (a proxy's page) gets a code by status. */
  static fromProblem(status: number, problem: Problem | undefined): CarillonError {
    const code = typeof problem?.code === 'string' ? problem.code : status >= 500 ? 'internal' : 'invalid_request';
    return new CarillonError(code, problem?.detail ?? `HTTP ${status}`, status, problem);
  }
}
