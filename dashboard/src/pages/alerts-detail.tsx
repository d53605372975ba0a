import { call } from '../api/client.ts';
import type { CapArea } from '../api/alerts.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { dispositionKey } from './alerts.tsx';

/** An area in a line: its description and its shapes. */
function areaShapes(area: CapArea): string {
  const parts = [
    ...area.circles.map((c) => `⊙ ${c.center.lat},${c.center.lon} ${c.radiusKm} km`),
    ...area.polygons.map((p) => `▱ ${p.points.map((pt) => `${pt.lat},${pt.lon}`).join(' ')}`),
    ...area.geocodes.map((g) => `${g.valueName} ${g.value}`),
  ];
  return parts.join(' · ');
}

/** One alert: whom it reached and why, its infos with their areas, the alerts it references, and the sending's counts. */
export function AlertPage({ appId, alertId }: { appId: string; alertId: string }) {
  const { t, date, number } = useI18n();
  const load = useLoad((signal) => call('getAlert', { params: { appId, id: alertId }, signal }), [appId, alertId]);
  const a = load.data;
  const capInfos = a?.cap?.infos ?? [];
  return (
    <div className="page">
      <AppNav appId={appId} />
      <p>
        <Link to={`/apps/${appId}/alerts`}>{t('alerts.back')}</Link>
      </p>
      {load.problem && <ProblemMessage problem={load.problem} />}
      {!a && !load.problem && <Loading />}
      {a && (
        <>
          <h1>{a.infos[0]?.headline ?? a.infos[0]?.event ?? a.identifier}</h1>
          <dl className="facts">
            <dt>{t('alerts.identifier')}</dt>
            <dd>{a.identifier}</dd>
            <dt>{t('alerts.sender')}</dt>
            <dd>{a.sender}</dd>
            <dt>{t('alerts.sent')}</dt>
            <dd>{date(a.sent)}</dd>
            <dt>{t('alerts.type')}</dt>
            <dd>
              {a.msgType} · {a.status} · {a.scope}
            </dd>
            <dt>{t('alerts.disposition')}</dt>
            <dd data-testid="alert-disposition">{t(dispositionKey(a.disposition))}</dd>
            <dt>{t('alerts.reason')}</dt>
            <dd data-testid="alert-reason">{a.reason}</dd>
            {a.expiresAt && (
              <>
                <dt>{t('alerts.expires')}</dt>
                <dd>{date(a.expiresAt)}</dd>
              </>
            )}
          </dl>
          {a.infos.map((info, i) => {
            const cap = capInfos[i];
            return (
              <Section key={i} title={`${info.event} (${info.language})`}>
                <p>
                  {info.severity} · {info.urgency} · {info.certainty}
                  {info.topPriority && <strong> · {t('alerts.topPriority')}</strong>}
                </p>
                {cap?.description && <p>{cap.description}</p>}
                {cap?.instruction && <p className="notice">{cap.instruction}</p>}
                {info.expires && <p className="muted">{t('alerts.expiresAt', { at: date(info.expires) })}</p>}
                {cap && cap.areas.length > 0 && (
                  <ul className="plain" aria-label={t('alerts.areas')}>
                    {cap.areas.map((area, j) => (
                      <li key={j}>
                        <strong>{area.areaDesc}</strong> <span className="muted">{areaShapes(area)}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </Section>
            );
          })}
          {a.references.length > 0 && (
            <Section title={t('alerts.references')}>
              <ul className="plain">
                {a.references.map((r) => (
                  <li key={`${r.sender},${r.identifier},${r.sent}`}>
                    {r.alertId ? <Link to={`/apps/${appId}/alerts/${r.alertId}`}>{r.identifier}</Link> : r.identifier} <span className="muted">{r.sender}</span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <Section title={t('alerts.sending')}>
            {!a.notification && <p>{t('alerts.notSent')}</p>}
            {a.notification && (
              <p>
                <Link to={`/apps/${appId}/notifications/${a.notification.id}`}>{a.notification.kind === 'all_clear' ? t('alerts.allClearSent') : t('alerts.alertSent')}</Link>
              </p>
            )}
            {a.sending && (
              <dl className="figures" data-testid="alert-counts">
                {Object.entries(a.sending.counts).map(([name, n]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>{number(n)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
