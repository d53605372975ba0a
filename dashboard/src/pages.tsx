import type { ComponentType } from 'react';
import type { MessageKey } from './i18n/en.ts';
import { AccountPage } from './pages/account.tsx';
import { AppPage } from './pages/app.tsx';
import { AppsPage } from './pages/apps.tsx';
import { AudienceUserPage } from './pages/audience-user.tsx';
import { AudienceUsersPage } from './pages/audience-users.tsx';
import { NewSegmentPage, SegmentPage } from './pages/segment.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { OperatorsPage } from './pages/operators.tsx';
import { SystemPage } from './pages/system.tsx';
import { AnalyticsPage } from './pages/analytics.tsx';
import { CampaignPage } from './pages/campaign.tsx';
import { CampaignsPage } from './pages/campaigns.tsx';
import { NotificationPage } from './pages/notification.tsx';
import { WebhookPage } from './pages/webhook.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { ComposePage } from './pages/compose.tsx';
import { NotificationsPage } from './pages/notifications.tsx';
import { JourneyPage } from './pages/journey.tsx';
import { JourneysPage, NewJourneyPage } from './pages/journeys.tsx';
import { InboxPage } from './pages/inbox.tsx';
import { InboxThreadPage } from './pages/inbox-thread.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { AlertPage } from './pages/alerts-detail.tsx';

/**
 * The pages of a signed-in operator, in navigation order. A new page is one entry here:
 * its path (`:name` parameters reach the component as props), the label of its link in
 * the navigation (none: reached from another page), and whether only installation
 * administrators see it. What the server refuses stays refused whatever is shown
 * (src/http/route-roles.ts); this only hides what would be.
 */
export interface Page {
  path: string;
  component: ComponentType<Record<string, string>>;
  nav?: MessageKey;
  adminOnly?: boolean;
}

export const PAGES: Page[] = [
  { path: '/apps', component: AppsPage, nav: 'nav.apps' },
  { path: '/apps/:appId', component: AppPage as ComponentType<Record<string, string>> },
  // Next: Audience, Compose, Campaigns, Analytics, Webhooks (per app, under /apps/:appId/...).
  // Audience: users and segments ('new' before ':segmentId', the first match wins).
  { path: '/apps/:appId/users', component: AudienceUsersPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/users/:externalId', component: AudienceUserPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/segments', component: SegmentsPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/segments/new', component: NewSegmentPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/segments/:segmentId', component: SegmentPage as ComponentType<Record<string, string>> },
  { path: '/system', component: SystemPage, nav: 'nav.system', adminOnly: true },
  { path: '/operators', component: OperatorsPage, nav: 'nav.operators', adminOnly: true },
  { path: '/account', component: AccountPage, nav: 'nav.account' },
  { path: '/apps/:appId/campaigns', component: CampaignsPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/campaigns/:campaignId', component: CampaignPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/notifications/:notificationId', component: NotificationPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/analytics', component: AnalyticsPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/webhooks', component: WebhooksPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/webhooks/:webhookId', component: WebhookPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/compose', component: ComposePage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/notifications', component: NotificationsPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/campaigns/:campaignId/edit', component: ComposePage as ComponentType<Record<string, string>> },
  // Journeys ('new' before ':journeyId', the first match wins).
  { path: '/apps/:appId/journeys', component: JourneysPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/journeys/new', component: NewJourneyPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/journeys/:journeyId', component: JourneyPage as ComponentType<Record<string, string>> },
  // The inbox: conversations a person takes over from the assistant.
  { path: '/apps/:appId/inbox', component: InboxPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/inbox/:conversationId', component: InboxThreadPage as ComponentType<Record<string, string>> },
  // Civic alerts: the list with the composer and the feeds, and one alert.
  { path: '/apps/:appId/alerts', component: AlertsPage as ComponentType<Record<string, string>> },
  { path: '/apps/:appId/alerts/:alertId', component: AlertPage as ComponentType<Record<string, string>> },
];
