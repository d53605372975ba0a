import { useState } from 'react';
import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { Pager } from './campaigns.tsx';
import { NOTIFICATION_STATUSES, type NotificationStatusName } from './notifications-types.ts';

const PAGE_SIZE = 25;

export function notificationStatusKey(status: NotificationStatusName): MessageKey {
  return `notifications.status.${status}`;
}

/**
 * An app's notifications, newest first, by cursor (`listNotifications`): each one's status
 * and key figures in the list's own answer, linking to its page. Sent on their own,
 * campaign waves and test sends alike; a status narrows the list.
 */
export function NotificationsPage({ appId }: { appId: string }) {
  const { t, number, date } = useI18n();
  const [status, setStatus] = useState<NotificationStatusName | ''>('');
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    (signal) => call('listNotifications', { params: { appId }, query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) }, signal }),
    [appId, cursor, status],
  );
  const percent = new Intl.NumberFormat(useI18n().locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('notifications.title')}</h1>
      <div className="field">
        <label htmlFor="notifications-status">{t('notifications.filterStatus')}</label>
        <select
          id="notifications-status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as NotificationStatusName | '');
            setCursors([undefined]);
          }}
        >
          <option value="">{t('notifications.allStatuses')}</option>
          {NOTIFICATION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(notificationStatusKey(s))}
            </option>
          ))}
        </select>
      </div>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.data.length === 0 && <p>{t('notifications.none')}</p>}
      {list.data && list.data.data.length > 0 && (
        <ScrollTable label={t('notifications.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('notifications.notification')}</th>
                <th scope="col">{t('campaigns.status')}</th>
                <th scope="col">{t('notifications.created')}</th>
                <th scope="col">{t('notifications.campaign')}</th>
                <th scope="col" className="num">{t('notifications.recipients')}</th>
                <th scope="col" className="num">{t('campaign.delivered')}</th>
                <th scope="col" className="num">{t('notifications.failed')}</th>
                <th scope="col" className="num">{t('campaign.displayed')}</th>
                <th scope="col" className="num">{t('campaign.clicked')}</th>
                <th scope="col" className="num">{t('campaigns.clickRate')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((n) => (
                <tr key={n.id}>
                  <td>
                    <Link to={`/apps/${appId}/notifications/${n.id}`}>{n.title ?? t('notifications.untitled', { id: n.id })}</Link>
                  </td>
                  <td>
                    <span className={`status status-${n.status}`}>{t(notificationStatusKey(n.status))}</span>
                  </td>
                  <td>{date(n.createdAt)}</td>
                  <td>
                    {n.campaignId ? (
                      <Link to={`/apps/${appId}/campaigns/${n.campaignId}`}>
                        {n.campaignRun === 0 ? t('notifications.testSend') : t('notifications.wave', { run: number(n.campaignRun ?? 0) })}
                      </Link>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td className="num">{number(n.counts.targeted)}</td>
                  <td className="num">{number(n.counts.delivered)}</td>
                  <td className="num">{number(n.counts.failed)}</td>
                  <td className="num">{number(n.counts.displayed)}</td>
                  <td className="num">{number(n.counts.clicked)}</td>
                  <td className="num">{n.counts.delivered > 0 ? percent.format(n.counts.clicked / n.counts.delivered) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
    </div>
  );
}
