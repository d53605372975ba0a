import type { Generated } from 'kysely';

/** The tables of what was sent to whom, and of campaigns (migrations 012 and 014); part of `Database` in schema.ts. */

/**
 * Why a matched recipient was or was not sent to (migration 012). `passed`: a local-time
 * campaign's hour had passed on the recipient's clock at launch and the campaign skips those.
 * `expired`: the TTL ran out before the send (the server was down, retries took too long);
 * `unsubscribed`: the subscription was deleted between the fan-out and the send.
 * `no_winner`: an A/B test in winner mode found no winner and the campaign sends the rest nothing.
 * `alert_cancelled`, `alert_replaced`: a civic alert was cancelled or updated while its
 * fan-out was in flight; its remaining recipients get the Cancel's or the Update's notification.
 */
export type SendReason = 'sent' | 'capped' | 'quiet_held' | 'suppressed' | 'render_failed' | 'too_large' | 'holdout' | 'passed' | 'expired' | 'unsubscribed' | 'no_winner' | 'alert_cancelled' | 'alert_replaced';

/** Every reason, in the order reports list them. */
export const SEND_REASONS: readonly SendReason[] = ['sent', 'capped', 'quiet_held', 'suppressed', 'render_failed', 'too_large', 'holdout', 'passed', 'expired', 'unsubscribed', 'no_winner', 'alert_cancelled', 'alert_replaced'];

/** One recipient of a notification and what became of it (migration 012, src/campaigns/). */
export interface SendRecordsTable {
  seq: Generated<number>;
  app_id: string;
  notification_id: string;
  campaign_id: string | null;
  variant: string | null;
  user_seq: number | null;
  subscription_seq: number | null;
  category: string | null;
  reason: SendReason;
  /** What explains the reason: the cap rule, the render error. Never a secret or the content. */
  detail: string | null;
  /** 1 for a marketing send that went out: what frequency caps count. */
  counts_for_caps: number;
  /** 1 for `POST .../campaigns/{id}/test`. */
  test: number;
  /** JSON: why the send went when it did (local time, best hour and its source, quiet-hours hold). */
  timing: string | null;
  at: number;
}

/** `planning`: an intelligent campaign's users are being planned by a job (src/campaigns/plan-job.ts). */
export type CampaignStatus = 'draft' | 'planning' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

/** A campaign (migration 014, src/campaigns/). */
export interface CampaignsTable {
  /** cmp_... */
  id: string;
  app_id: string;
  name: string;
  status: CampaignStatus;
  /** JSON: the campaign as validated. */
  definition: string;
  created_at: number;
  updated_at: number;
  launched_at: number | null;
  finished_at: number | null;
  runs: Generated<number>;
  next_run_at: number | null;
  /** JSON: winner mode's decision (policy/decide-winner.ts), once made. */
  decision: string | null;
}

/** A throttled campaign's bucket (migration 019, src/campaigns/throttle/). */
export interface CampaignThrottlesTable {
  campaign_id: string;
  tokens: number;
  at: number;
  waiting: number;
}

/** An intelligent campaign's plan: a user of a run and the instant of their wave (migration 019, src/campaigns/intelligent-plan.ts). */
export interface CampaignUserPlansTable {
  campaign_id: string;
  run: number;
  user_seq: number;
  send_at: number;
  /** JSON: the send record's timing (the best hour and its source). */
  timing: string;
}
