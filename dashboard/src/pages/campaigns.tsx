import { useState } from 'react';
import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { CampaignStatus } from './campaign-types.ts';

const PAGE_SIZE = 25;

export function statusKey(status: CampaignStatus): MessageKey {
  return `campaign.status.${status}`;
}

/** An app's campaigns, newest first, by cursor: status and key figures. */
export function CampaignsPage({ appId }: { appId: string }) {
  const { t, number, date } = useI18n();
  const { session } = useSession();
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  // Each campaign's key figures come with the list (one call a page).
  const list = useLoad((signal) => call('listCampaigns', { params: { appId }, query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }, signal }), [appId, cursor]);
  const percent = new Intl.NumberFormat(useI18n().locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('campaigns.title')}</h1>
      {can(session, appId, 'editor') && (
        <p>
          <Link className="button" to={`/apps/${appId}/compose`}>
            {t('compose.newFromCampaigns')}
          </Link>
        </p>
      )}
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.data.length === 0 && <p>{t('campaigns.none')}</p>}
      {list.data && list.data.data.length > 0 && (
        <ScrollTable label={t('campaigns.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('campaigns.name')}</th>
                <th scope="col">{t('campaigns.status')}</th>
                <th scope="col" className="num">{t('campaign.sent')}</th>
                <th scope="col" className="num">{t('campaign.clicked')}</th>
                <th scope="col" className="num">{t('campaigns.clickRate')}</th>
                <th scope="col">{t('campaigns.launched')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((c) => {
                const sent = c.counts.sent;
                return (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/apps/${appId}/campaigns/${c.id}`}>{c.name}</Link>
                    </td>
                    <td>
                      <span className={`status status-${c.status}`}>{t(statusKey(c.status))}</span>
                    </td>
                    <td className="num">{number(sent)}</td>
                    <td className="num">{number(c.counts.clicked)}</td>
                    <td className="num">{sent > 0 ? percent.format(c.counts.clicked / sent) : '–'}</td>
                    <td>{c.launchedAt ? date(c.launchedAt) : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
    </div>
  );
}

/** Previous and next over a cursor-paged list. */
export function Pager({ hasPrevious, next, onPrevious, onNext }: { hasPrevious: boolean; next: string | null; onPrevious(): void; onNext(next: string): void }) {
  const { t } = useI18n();
  if (!hasPrevious && !next) return null;
  return (
    <nav className="buttons pager" aria-label={t('common.pages')}>
      <button type="button" className="secondary" disabled={!hasPrevious} onClick={onPrevious}>
        {t('common.previous')}
      </button>
      <button type="button" className="secondary" disabled={!next} onClick={() => next && onNext(next)}>
        {t('common.next')}
      </button>
    </nav>
  );
}
