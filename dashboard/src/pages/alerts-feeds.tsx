import { useState } from 'react';
import { call } from '../api/client.ts';
import type { FeedStatus } from '../api/alerts.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';

export const feedStatusKey = (s: FeedStatus): MessageKey => `alerts.feedStatus.${s}`;

/** The app's CAP feeds (docs/civic-alerts.md#connecting-a-cap-feed): each poll's outcome; an editor adds and removes them. */
export function AlertFeeds({ appId, editor }: { appId: string; editor: boolean }) {
  const { t, date, number } = useI18n();
  const list = useLoad((signal) => call('listAlertFeeds', { params: { appId }, signal }), [appId]);
  const [url, setUrl] = useState('');
  const [interval, setInterval] = useState('300');
  const add = useSubmit(
    () => call('createAlertFeed', { params: { appId }, body: { url: url.trim(), interval: Number(interval) } }),
    () => {
      setUrl('');
      list.reload();
    },
  );
  const feeds = list.data?.data ?? [];
  return (
    <Section title={t('alerts.feeds')}>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && feeds.length === 0 && <p>{t('alerts.noFeed')}</p>}
      {feeds.length > 0 && (
        <ScrollTable label={t('alerts.feeds')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('alerts.feedUrl')}</th>
                <th scope="col" className="num">{t('alerts.feedInterval')}</th>
                <th scope="col">{t('alerts.feedLastPoll')}</th>
                <th scope="col">{t('alerts.feedStatus')}</th>
                <th scope="col">{t('alerts.feedError')}</th>
                <th scope="col" className="num">{t('alerts.feedAlerts')}</th>
                {editor && <th scope="col">{t('alerts.feedActions')}</th>}
              </tr>
            </thead>
            <tbody>
              {feeds.map((feed) => (
                <tr key={feed.id}>
                  <td>{feed.url}</td>
                  <td className="num">{number(feed.interval)}</td>
                  <td>{feed.lastPollAt ? date(feed.lastPollAt) : t('alerts.feedNotPolled')}</td>
                  <td>
                    <span className={`status status-feed-${feed.status}`}>{t(feedStatusKey(feed.status))}</span>
                  </td>
                  <td>{feed.error ? `${feed.error.detail} (${feed.error.code})` : '—'}</td>
                  <td className="num">{number(feed.alertsReceived)}</td>
                  {editor && (
                    <td>
                      <ConfirmButton
                        label={t('common.delete')}
                        title={t('alerts.feedDelete')}
                        message={t('alerts.feedDeleteConfirm', { url: feed.url })}
                        action={async () => {
                          await call('deleteAlertFeed', { params: { appId, id: feed.id } });
                          list.reload();
                        }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      {list.data && (
        <p>
          <button type="button" className="secondary" onClick={list.reload}>
            {t('alerts.feedRefresh')}
          </button>
        </p>
      )}
      {editor && (
        <form onSubmit={(e) => void add.onSubmit(e)} noValidate>
          <h3>{t('alerts.feedAdd')}</h3>
          <Field label={t('alerts.feedUrl')} type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={add.fieldError('/url')} hint={t('alerts.feedUrlHint')} />
          <Field label={t('alerts.feedIntervalLabel')} type="number" min={30} max={86400} value={interval} onChange={(e) => setInterval(e.target.value)} error={add.fieldError('/interval')} />
          <ProblemMessage problem={add.formError('/url', '/interval')} />
          <button type="submit" disabled={add.busy}>
            {t('alerts.feedAddSubmit')}
          </button>
        </form>
      )}
    </Section>
  );
}
