import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { Pager } from './campaigns.tsx';
import { notificationStatusKey } from './notifications.tsx';
import type { NotificationSummary } from './notifications-types.ts';

const PAGE_SIZE = 25;
/** The API's largest page: the waves a campaign's total is summed over, a page at a time. */
const SUM_PAGE = 1000;

/**
 * A campaign's failed sends, summed over its waves (test sends left out) as
 * listNotifications counts each one: the one definition of "failed" the campaign, the
 * notification and the notifications pages share (docs/dashboard.md#failed).
 */
export function useCampaignFailed(appId: string, campaignId: string, reloads: number) {
  return useLoad(
    async (signal) => {
      let failed = 0;
      let cursor: string | null = null;
      do {
        const page: { data: NotificationSummary[]; next: string | null } = await call('listNotifications', { params: { appId }, query: { campaignId, limit: String(SUM_PAGE), ...(cursor ? { cursor } : {}) }, signal });
        for (const n of page.data) if (n.campaignRun !== 0) failed += n.counts.failed;
        cursor = page.next;
      } while (cursor !== null);
      return failed;
    },
    [appId, campaignId, reloads],
  );
}

/** The notifications a campaign went out as (its waves, and its test sends), newest first, each linking to its page. */
export function CampaignWaves({ appId, campaignId, reloads }: { appId: string; campaignId: string; reloads: number }) {
  const { t, number, date } = useI18n();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    (signal) => call('listNotifications', { params: { appId }, query: { campaignId, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }, signal }),
    [appId, campaignId, cursor, reloads],
  );
  return (
    <Section title={t('campaign.waves')}>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.data.length === 0 && <p>{t('campaign.noWaves')}</p>}
      {list.data && list.data.data.length > 0 && (
        <ScrollTable label={t('campaign.waves')}>
          <table data-testid="campaign-waves">
            <thead>
              <tr>
                <th scope="col">{t('campaign.wave')}</th>
                <th scope="col">{t('campaigns.status')}</th>
                <th scope="col">{t('notification.sendAt')}</th>
                <th scope="col" className="num">{t('notifications.recipients')}</th>
                <th scope="col" className="num">{t('campaign.delivered')}</th>
                <th scope="col" className="num">{t('notifications.failed')}</th>
                <th scope="col" className="num">{t('campaign.displayed')}</th>
                <th scope="col" className="num">{t('campaign.clicked')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((n) => (
                <tr key={n.id}>
                  <th scope="row">
                    <Link to={`/apps/${encodeURIComponent(appId)}/notifications/${encodeURIComponent(n.id)}`}>{n.campaignRun === 0 ? t('campaign.testSend') : t('campaign.waveN', { run: number(n.campaignRun ?? 0) })}</Link>
                  </th>
                  <td>
                    <span className={`status status-${n.status}`}>{t(notificationStatusKey(n.status))}</span>
                  </td>
                  <td>{date(n.sendAt)}</td>
                  <td className="num">{number(n.counts.targeted)}</td>
                  <td className="num">{number(n.counts.delivered)}</td>
                  <td className="num">{number(n.counts.failed)}</td>
                  <td className="num">{number(n.counts.displayed)}</td>
                  <td className="num">{number(n.counts.clicked)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
    </Section>
  );
}
