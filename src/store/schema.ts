import type { Generated } from 'kysely';
import type { ActivityTable } from './schema-activity.ts';
import type { UsersTable, UserAttributesTable, UserEventsTable, UserPreferencesTable, SegmentsTable, SegmentReferencesTable } from './schema-audience.ts';
import type { ActivityRollupsTable, ActivityTotalsTable, ConversionTouchesTable } from './schema-analytics.ts';
import type { AlertReferencesTable, AlertTestersTable, AlertsTable, UserAlertZonesTable } from './schema-alerts.ts';
import type { AlertNotificationsTable, AlertSettingsTable } from './schema-alert-sends.ts';
import type { CampaignsTable, CampaignThrottlesTable, CampaignUserPlansTable, SendRecordsTable } from './schema-campaigns.ts';
import type { PushChannelsTable, PushMessagesTable, PushUaidsTable } from './schema-push-service.ts';
import type { OperatorMembershipsTable, OperatorSessionsTable, OperatorSetupTokensTable, OperatorsTable } from './schema-operators.ts';
import type { WebhookEndpointsTable, WebhookMessagesTable } from './schema-webhooks.ts';
import type { AlertFeedsTable, AlertGeocodesTable, AlertGeocodeTablesTable, UserAlertLocationsTable } from './schema-alert-feeds.ts';
import type { CampaignPlanningsTable } from './schema-campaign-planning.ts';
import type { WebhookAttemptsTable } from './schema-webhooks.ts';
import type { RecipientClicksTable } from './schema-analytics.ts';
import type { JourneyAudienceWalksTable, JourneyRunsTable, JourneyStepCountsTable, JourneysTable, JourneyVersionsTable } from './schema-journeys.ts';
import type { MfaRecoveryCodesTable, MfaTotpTable } from './schema-mfa-fallbacks.ts';
import type { MfaOtpsTable } from './schema-mfa-otp.ts';
import type { AssistantKnowledgeBasesTable, ConversationMessagesTable, ConversationsTable } from './schema-conversations.ts';
import type { MfaAuditTable, MfaChallengesTable, MfaDevicesTable, MfaEnrollmentsTable, MfaNoncesTable, MfaSettingsTable, MfaUserStatesTable } from './schema-mfa.ts';

export { ACTIVITY_TYPES, type ActivityTable, type ActivityType } from './schema-activity.ts';
export { OPERATOR_ROLES, type OperatorRole } from './schema-operators.ts';
export { SEND_REASONS, type CampaignStatus, type CampaignsTable, type SendReason, type SendRecordsTable } from './schema-campaigns.ts';

/**
 * The database as Kysely sees it. Times are unix milliseconds (numbers on both
 * dialects: SQLite has no timestamp type, and integer math keeps the queries shared).
 */
export interface Database {
  apps: AppsTable;
  api_keys: ApiKeysTable;
  admin_keys: AdminKeysTable;
  subscriptions: SubscriptionsTable;
  subscription_tags: SubscriptionTagsTable;
  notifications: NotificationsTable;
  delivery_batches: DeliveryBatchesTable;
  delivery_failures: DeliveryFailuresTable;
  jobs: JobsTable;
  app_credentials: AppCredentialsTable;
  push_uaids: PushUaidsTable;
  push_channels: PushChannelsTable;
  push_messages: PushMessagesTable;
  events: EventsTable;
  master_key_check: MasterKeyCheckTable;
  delivery_progress: DeliveryProgressTable;
  users: UsersTable;
  user_attributes: UserAttributesTable;
  user_events: UserEventsTable;
  user_preferences: UserPreferencesTable;
  segments: SegmentsTable;
  segment_references: SegmentReferencesTable;
  send_records: SendRecordsTable;
  campaigns: CampaignsTable;
  campaign_throttles: CampaignThrottlesTable;
  campaign_user_plans: CampaignUserPlansTable;
  activity: ActivityTable;
  alerts: AlertsTable;
  alert_references: AlertReferencesTable;
  user_alert_zones: UserAlertZonesTable;
  alert_testers: AlertTestersTable;
  alert_notifications: AlertNotificationsTable;
  alert_settings: AlertSettingsTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  operator_memberships: OperatorMembershipsTable;
  operator_setup_tokens: OperatorSetupTokensTable;
  activity_rollups: ActivityRollupsTable;
  activity_totals: ActivityTotalsTable;
  conversion_touches: ConversionTouchesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  alert_feeds: AlertFeedsTable;
  alert_geocode_tables: AlertGeocodeTablesTable;
  alert_geocodes: AlertGeocodesTable;
  user_alert_locations: UserAlertLocationsTable;
  campaign_plannings: CampaignPlanningsTable;
  webhook_attempts: WebhookAttemptsTable;
  recipient_clicks: RecipientClicksTable;
  journeys: JourneysTable;
  journey_versions: JourneyVersionsTable;
  journey_runs: JourneyRunsTable;
  journey_step_counts: JourneyStepCountsTable;
  journey_audience_walks: JourneyAudienceWalksTable;
  mfa_enrollments: MfaEnrollmentsTable;
  mfa_devices: MfaDevicesTable;
  mfa_challenges: MfaChallengesTable;
  mfa_user_states: MfaUserStatesTable;
  mfa_nonces: MfaNoncesTable;
  mfa_settings: MfaSettingsTable;
  mfa_audit: MfaAuditTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_otps: MfaOtpsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
  assistant_knowledge_bases: AssistantKnowledgeBasesTable;
}

export interface AppsTable {
  id: string;
  name: string;
  vapid_public_key: string;
  /** AES-256-GCM sealed (src/crypto/secret-box.ts), never in clear. */
  vapid_private_key: string;
  vapid_subject: string;
  created_at: number;
  /** The key of user id hashes (src/apps/identity.ts), sealed like the VAPID key; null until made. */
  identity_secret: string | null;
  /** 1: a publishable key must prove each user id it sets with its hash. */
  identity_verification: Generated<number>;
  /** JSON array of the app's own notification categories, beside the built-in ones; null for none. */
  categories: string | null;
  /** JSON array of the attribute keys a browser may set for its own verified user; null for none. */
  browser_attributes: string | null;
  /** IANA zone of users whose own is unknown, for campaigns' local times; null for UTC. */
  timezone: string | null;
  /** JSON {start, end}: when marketing sends are held; null for none. */
  quiet_hours: string | null;
  /** JSON array of frequency cap rules, all of which must pass; null for none. */
  cap_rules: string | null;
  /** JSON object: `{{ app.* }}` in campaign templates; null for none. */
  globals: string | null;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  kind: 'secret' | 'publishable';
  /** SHA-256 of the key: keys are 256-bit random, so a fast hash is enough to make a leak useless. */
  key_hash: string;
  /** First characters, to tell keys apart in listings. */
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  /** Its owner's label (migration 022); null for the keys made with the app. */
  name: string | null;
  /** When it last opened a request, to the minute (src/apps/principal.ts). */
  last_used_at: number | null;
}

export interface AdminKeysTable {
  key_hash: string;
  created_at: number;
}

export interface SubscriptionsTable {
  /** Keyset order for fan-out and pagination; never exposed. */
  seq: Generated<number>;
  id: string;
  app_id: string;
  channel: string;
  /** Where the channel delivers: a Web Push endpoint URL, an APNs or FCM device token. */
  address: string;
  /** Web Push only: the browser's P-256 public key and auth secret (base64url). */
  p256dh: string | null;
  auth: string | null;
  /** APNs only: sandbox or production. */
  environment: string | null;
  /** APNs only: the app's bundle id (apns-topic). */
  app_topic: string | null;
  user_id: string | null;
  /** JSON object of string values; also indexed row by row in subscription_tags. */
  tags: string;
  language: string | null;
  timezone: string | null;
  created_at: number;
  updated_at: number;
  /** users.seq of (app_id, user_id), null without one; kept by the database's triggers (migration 023), never written. */
  user_seq: Generated<number | null>;
}

export interface SubscriptionTagsTable {
  subscription_seq: number;
  app_id: string;
  key: string;
  value: string;
}

export type NotificationStatus = 'scheduled' | 'queued' | 'sending' | 'completed' | 'cancelled';

export interface NotificationsTable {
  id: string;
  app_id: string;
  status: NotificationStatus;
  /** JSON: the audience selector as sent. */
  target: string;
  /** JSON: the message content as accepted; each channel renders its own payload from it. */
  content: string;
  ttl: number;
  urgency: string;
  topic: string | null;
  send_at: number;
  idempotency_key: string | null;
  /** SHA-256 of the request body, so a reused Idempotency-Key with another body is refused. */
  request_hash: string | null;
  /** Highest subscription seq already cut into batches; the fan-out resumes after it. */
  fanout_cursor: number;
  fanout_done: number;
  targeted: number;
  created_at: number;
  completed_at: number | null;
  /** orders, promotions, security, civic, or one of the app's own; users may turn categories off. */
  category: string | null;
  /** Recipients the audience matched but the policy left out (a preference turned off, ...). */
  suppressed: Generated<number>;
  /** JSON object: reason -> count, for `suppressed`. */
  suppressed_reasons: string | null;
  /** JSON: the audience filter of a `{segment}` or `{filter}` target, its segments expanded at accept time; null for other targets. */
  audience: string | null;
  /** The campaign this notification is a wave of; null for a notification sent on its own. */
  campaign_id: string | null;
  /** The campaign's run (1, 2, ... for a recurring one). */
  campaign_run: number | null;
  /** JSON: what the wave's recipients share (zones, instant, why). */
  wave: string | null;
  /** JSON: the conversion events and window this notification names (migration 016); null: none. */
  conversion: Generated<string | null>;
  /** The priority its jobs are queued with (PRIORITY in src/queue/queue.ts), kept so the reconcile pass queues lost ones on the same lane (migration 040). */
  priority: Generated<number>;
}

export interface DeliveryBatchesTable {
  id: Generated<number>;
  notification_id: string;
  /** First and last of `seqs`, for reading a batch at a glance. */
  from_seq: number;
  to_seq: number;
  /** JSON list of the recipients' seqs: a page of the audience, or those to retry. */
  seqs: string;
  attempt: number;
  size: number;
  done: number;
  delivered: number;
  failed: number;
  expired: number;
  pruned: number;
  retrying: number;
  created_at: number;
  finished_at: number | null;
}

export interface DeliveryFailuresTable {
  notification_id: string;
  subscription_id: string;
  outcome: string;
  status_code: number | null;
  reason: string;
  at: number;
}

export interface JobsTable {
  id: Generated<number>;
  name: string;
  data: string;
  /** Dedupe key: adding a job whose key exists is a no-op. */
  key: string | null;
  priority: number;
  run_at: number;
  locked_until: number;
  attempts: number;
  state: 'waiting' | 'active' | 'failed';
  last_error: string | null;
  created_at: number;
}

/** What a browser reported: opt-in steps (src/analytics/) and what became of a notification. */
export interface EventsTable {
  id: Generated<number>;
  app_id: string;
  /** prompt_shown, softask_accepted, ..., displayed, clicked, dismissed (src/analytics/event-types.ts). */
  type: string;
  notification_id: string | null;
  subscription_id: string | null;
  /** The action button chosen, for clicked; null for a click on the notification itself. */
  action: string | null;
  /** Unique per app when set: a retried report of the same event is stored once. */
  dedupe_key: string | null;
  /** When it happened, as the browser says (never later than received_at). */
  at: number;
  received_at: number;
}

/** An app's APNs token key or FCM service account (src/credentials/). */
export interface AppCredentialsTable {
  app_id: string;
  /** apns or fcm. */
  kind: string;
  /** JSON of what may be shown: key id, team id, topic; project id, client e-mail. */
  public_fields: string;
  /** The secret part, AES-256-GCM sealed (src/crypto/secret-box.ts), never in clear. */
  sealed: string;
  /** Id of the master key that sealed it, to find what is left to re-seal after a rotation. */
  master_key_id: string;
  created_at: number;
  updated_at: number;
}

/** One row (id 1): proves which master key the database's secrets are sealed under (src/crypto/key-check.ts). */
export interface MasterKeyCheckTable {
  id: number;
  /** The key's fingerprint, as sealed values name it: says which key is expected, gives nothing away. */
  key_id: string;
  /** HMAC-SHA-256 (SecretBox.mac) of a fixed text under the key; never the key itself. */
  mac: string;
  created_at: number;
}

/**
 * Outcomes of a delivery batch committed while it runs, one row per flush
 * (src/delivery/batch-progress.ts): JSON lists of recipient seqs.
 */
export interface DeliveryProgressTable {
  batch_id: number;
  delivered: string;
  /** Rejected, or out of attempts: recorded in delivery_failures in the same transaction. */
  failed: string;
  pruned: string;
  /** To be sent again by the batch's next attempt. */
  retrying: string;
  /** ms; the longest delay asked by the retried ones. */
  retry_after: number;
  at: number;
}

export type { AttributeType, UsersTable, UserAttributesTable, UserEventsTable, UserPreferencesTable, SegmentsTable, SegmentReferencesTable } from './schema-audience.ts';
