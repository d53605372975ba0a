import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { buttonTitles, ClicksByButton, FunnelFigures, HourlyChart, hourlyRange } from './campaign-results.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { notificationStatusKey } from './notifications.tsx';
import type { NotificationStatusName } from './notifications-types.ts';

/** One notification: its status, its funnel and its hour-by-hour chart, as for a campaign. */
export function NotificationPage({ appId, notificationId }: { appId: string; notificationId: string }) {
  const { t, date, number } = useI18n();
  const notification = useLoad((signal) => call('getNotification', { params: { appId, id: notificationId }, signal }), [appId, notificationId]);
  const start = notification.data?.sendAt;
  const end = notification.data?.completedAt ?? null;
  const analytics = useLoad(
    async (signal) => (start ? call('getNotificationAnalytics', { params: { appId, id: notificationId }, query: hourlyRange(start, end), signal }) : undefined),
    [appId, notificationId, start, end],
  );
  if (notification.problem) return <div className="page"><ProblemMessage problem={notification.problem} /></div>;
  if (!notification.data) return <div className="page"><Loading /></div>;
  const n = notification.data;
  return (
    <div className="page">
      <AppNav appId={appId} />
      <div className="page-head">
        <h1>{t('notification.title', { id: n.id })}</h1>
        <span className={`status status-${n.status}`}>{t(notificationStatusKey(n.status as NotificationStatusName))}</span>
      </div>
      <dl className="facts">
        <dt>{t('common.created')}</dt>
        <dd>{date(n.createdAt)}</dd>
        <dt>{t('notification.sendAt')}</dt>
        <dd>{date(n.sendAt)}</dd>
        <dt>{t('notifications.failed')}</dt>
        <dd data-testid="notification-failed">{number(n.counts.failed)}</dd>
        <dt>{t('notification.expired')}</dt>
        <dd>{number(n.counts.expired)}</dd>
        <dt>{t('notification.pruned')}</dt>
        <dd>{number(n.counts.pruned)}</dd>
        <dt>{t('notification.suppressed')}</dt>
        <dd>{number(n.counts.suppressed)}</dd>
      </dl>
      {analytics.problem && <ProblemMessage problem={analytics.problem} />}
      {!analytics.data && !analytics.problem && <Loading />}
      {analytics.data && <FunnelFigures funnel={analytics.data.funnel} />}
      {analytics.data && <ClicksByButton funnel={analytics.data.funnel} titles={buttonTitles(n.content?.actions)} />}
      {analytics.data && <HourlyChart series={analytics.data.analytics} />}
    </div>
  );
}
