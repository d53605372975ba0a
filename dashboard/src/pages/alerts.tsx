import { useState } from 'react';
import { call } from '../api/client.ts';
import type { Alert } from '../api/alerts.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { AlertComposer } from './alerts-compose.tsx';
import { AlertFeeds } from './alerts-feeds.tsx';
import { AlertSettingsSection } from './alerts-settings.tsx';
import { Pager } from './campaigns.tsx';

export const dispositionKey = (d: Alert['disposition']): MessageKey => `alerts.disposition.${d}`;

/**
 * An app's civic alerts, newest received first (docs/civic-alerts.md): what each says and
 * whom it reached, each opening its detail; an editor's composer posts one as JSON, and the
 * app's CAP feeds are listed, added and removed below, then the app's alert settings.
 */
export function AlertsPage({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad((signal) => call('listAlerts', { params: { appId }, query: { limit: '25', ...(cursor ? { cursor } : {}) }, signal }), [appId, cursor]);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('alerts.title')}</h1>
      {!editor && <p className="notice">{t('alerts.viewerNotice')}</p>}
      <Section title={t('alerts.received')}>
        {list.problem && <ProblemMessage problem={list.problem} />}
        {!list.data && !list.problem && <Loading />}
        {list.data && list.data.data.length === 0 && <p>{t('alerts.none')}</p>}
        {list.data && list.data.data.length > 0 && <AlertTable appId={appId} alerts={list.data.data} />}
        <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
      </Section>
      {editor && (
        <AlertComposer
          appId={appId}
          sender={session.operator.email}
          onPosted={() => {
            // The new alert is the newest: back to the first page, read again.
            if (cursors.length > 1) setCursors([undefined]);
            else list.reload();
          }}
        />
      )}
      <AlertFeeds appId={appId} editor={editor} />
      <AlertSettingsSection appId={appId} owner={can(session, appId, 'owner')} />
    </div>
  );
}

function AlertTable({ appId, alerts }: { appId: string; alerts: Alert[] }) {
  const { t, date } = useI18n();
  return (
    <ScrollTable label={t('alerts.received')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('alerts.headline')}</th>
            <th scope="col">{t('alerts.sent')}</th>
            <th scope="col">{t('alerts.sender')}</th>
            <th scope="col">{t('alerts.type')}</th>
            <th scope="col">{t('alerts.severity')}</th>
            <th scope="col">{t('alerts.disposition')}</th>
            <th scope="col">{t('alerts.notification')}</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => {
            const info = a.infos[0];
            return (
              <tr key={a.id} data-alert={a.identifier}>
                <td>
                  <Link to={`/apps/${appId}/alerts/${a.id}`}>{info ? (info.headline ?? info.event) : a.identifier}</Link>
                  <br />
                  <span className="muted">{a.identifier}</span>
                </td>
                <td>{date(a.sent)}</td>
                <td>{a.sender}</td>
                <td>
                  {a.msgType} · {a.status}
                </td>
                <td>{info ? `${info.severity} · ${info.urgency}` : '—'}</td>
                <td>
                  <span className={`status status-alert-${a.disposition}`}>{t(dispositionKey(a.disposition))}</span>
                </td>
                <td>{a.notification ? <Link to={`/apps/${appId}/notifications/${a.notification.id}`}>{a.notification.kind === 'all_clear' ? t('alerts.allClearSent') : t('alerts.alertSent')}</Link> : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollTable>
  );
}
