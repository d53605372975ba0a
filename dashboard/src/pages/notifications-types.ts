/**
 * What GET /v1/apps/{appId}/notifications answers (src/http/routes/notifications.schemas.ts
 * NotificationPage), added to the answers of api/types.ts by declaration merging.
 */
import type { Paged } from './campaign-types.ts';

export const NOTIFICATION_STATUSES = ['scheduled', 'queued', 'sending', 'completed', 'cancelled'] as const;
export type NotificationStatusName = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationSummary {
  id: string;
  status: NotificationStatusName;
  title: string | null;
  createdAt: string;
  sendAt: string;
  completedAt: string | null;
  campaignId: string | null;
  campaignRun: number | null;
  counts: Record<'targeted' | 'delivered' | 'failed' | 'displayed' | 'clicked', number>;
}

declare module '../api/types.ts' {
  interface Answers {
    listNotifications: Paged<NotificationSummary>;
  }
}
