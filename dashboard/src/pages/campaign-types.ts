/**
 * What the campaign, notification and analytics routes answer, as the dashboard reads them
 * (src/http/routes/campaigns.schemas.ts, analytics.schemas.ts). Added to the answers of
 * api/types.ts by declaration merging, so that these pages keep their shapes to themselves.
 */
import type { List } from '../api/types.ts';

export type CampaignStatus = 'draft' | 'planning' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
/** What became of a matched recipient (src/store/schema-campaigns.ts SEND_REASONS). */
export const REASONS = ['sent', 'capped', 'quiet_held', 'suppressed', 'render_failed', 'too_large', 'holdout', 'passed', 'expired', 'unsubscribed', 'no_winner'] as const;
export type Reason = (typeof REASONS)[number];

export interface Decision {
  decision: 'winner' | 'send_best' | 'stop';
  variant: string | null;
  reason: string;
  statistic: number | null;
  df: number | null;
  pValue: number | null;
  alpha: number;
  rates: { id: string; rate: number }[];
  detail: string;
  decidedAt: string;
}
export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  category?: string;
  createdAt: string;
  updatedAt: string;
  launchedAt: string | null;
  finishedAt: string | null;
  runs: number;
  nextRunAt: string | null;
  decision: Decision | null;
  /** What it was made with (src/campaigns/campaign-input.ts), read back by Compose to edit a draft. */
  audience?: { segment?: string; filter?: unknown; exclude?: { segment: string } };
  content?: Record<string, SavedVersion>;
  defaultLanguage?: string;
  strict?: boolean;
  schedule?: SavedSchedule;
  throttle?: { perMinute: number };
  variants?: { split: { id: string; weight: number; content?: Record<string, SavedVersion> }[]; holdout?: number };
  capping?: { ignore: boolean };
}
export interface SavedVersion {
  title: string;
  body?: string;
  image?: string;
  icon?: string;
  url?: string;
  actions?: { action: string; title: string; url?: string }[];
}
export type SavedSchedule =
  | { at: string }
  | { localTime: { date: string; time: string; whenPassed?: 'send_now' | 'skip' } }
  | { intelligent: { within: string; fallback: string } }
  | { recurring: { cron: string; timezone: string } };
export interface VariantCounts {
  id: string | null;
  sent: number;
  displayed: number;
  clicked: number;
  clickRate: number | null;
}
export interface CampaignWithCounts extends Campaign {
  counts: {
    waves: number;
    recipients: Record<Reason, number>;
    heldByQuietHours: number;
    throttled: number;
    delivered: number;
    failed: number;
    displayed: number;
    clicked: number;
    variants: VariantCounts[];
  };
}
/** A campaign in the list's answer, with its key figures (src/http/routes/campaigns.schemas.ts CampaignListed). */
export interface ListedCampaign extends Campaign {
  counts: Record<'sent' | 'delivered' | 'failed' | 'displayed' | 'clicked', number>;
}
export interface Paged<T> extends List<T> {
  next: string | null;
}
export interface Recipient {
  notificationId: string;
  userId: string | null;
  subscriptionId: string | null;
  reason: Reason;
  detail: string | null;
  variant: string | null;
  at: string;
}
export type Values = Record<string, number | null>;
export interface AnalyticsSeries {
  from: string;
  to: string;
  interval: string;
  timezone: string;
  groupBy: string | null;
  metrics: string[];
  series: { group: string | null; points: { start: string; values: Values }[]; totals: Values }[];
}
export interface Funnel {
  targeted: number;
  sent: number;
  delivered: number;
  displayed: number;
  clicked: number;
  converted: number;
  convertedDirect: number;
  convertedInfluenced: number;
  revenue: number;
  /** action id -> recipients who chose that button. */
  clickedByAction: Record<string, number>;
}
export interface OwnAnalytics {
  id: string;
  funnel: Funnel;
  analytics: AnalyticsSeries;
}
export interface NotificationStatus {
  id: string;
  status: string;
  createdAt: string;
  sendAt: string;
  completedAt: string | null;
  preferenceCategory: string | null;
  content?: { actions?: { action: string; title: string }[] };
  counts: Record<'targeted' | 'sent' | 'delivered' | 'failed' | 'expired' | 'pruned' | 'suppressed' | 'pending' | 'displayed' | 'clicked' | 'dismissed', number>;
}

/** Every event type an endpoint may ask for (src/webhooks/event-types.ts). */
export const WEBHOOK_EVENTS = ['notification.sent', 'notification.delivered', 'notification.failed', 'notification.capped', 'notification.suppressed', 'notification.displayed', 'notification.clicked', 'notification.dismissed', 'notification.converted', 'subscription.pruned', 'subscription.opted_in', 'subscription.opted_out', 'webhook.endpoint_disabled'] as const;
export interface Webhook {
  id: string;
  url: string;
  description: string;
  events: 'all' | string[];
  enabled: boolean;
  batchSize: number;
  disabledReason: 'gone' | 'failing' | null;
  disabledAt: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface WebhookMessage {
  id: string;
  type: string;
  events: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  eventAt: string;
  createdAt: string;
}

declare module '../api/types.ts' {
  interface Answers {
    listCampaigns: Paged<ListedCampaign>;
    getCampaign: CampaignWithCounts;
    getCampaignAnalytics: OwnAnalytics;
    listCampaignRecipients: Paged<Recipient>;
    pauseCampaign: Campaign;
    resumeCampaign: Campaign;
    cancelCampaign: Campaign;
    getNotification: NotificationStatus;
    getNotificationAnalytics: OwnAnalytics;
    getAnalytics: AnalyticsSeries;
    listWebhooks: Paged<Webhook>;
    createWebhook: Webhook & { secret: string };
    getWebhook: Webhook;
    updateWebhook: Webhook;
    deleteWebhook: void;
    rotateWebhookSecret: { secret: string; previousSecretExpiresAt: string };
    listWebhookMessages: Paged<WebhookMessage>;
    replayWebhookMessages: { replayed: number };
    getOptInStats: { counts: Record<string, number>; optInRate: number | null };
  }
}
