import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/** The installation: health, version, the delivery queue and its dead letters (administrators). */
export function SystemPage() {
  const { t, number } = useI18n();
  const { session } = useSession();
  const ready = useLoad(async (signal) => {
    try {
      await call('getReadiness', { signal });
      return { ok: true, detail: '' };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }, []);
  const depth = useLoad((signal) => call('getQueueDepth', { signal }), []);
  const failed = useLoad((signal) => call('listFailedJobs', { query: { limit: '50' }, signal }), []);
  const refresh = () => {
    ready.reload();
    depth.reload();
    failed.reload();
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('system.title')}</h1>
        <button type="button" className="secondary" onClick={refresh}>
          {t('system.refresh')}
        </button>
      </div>
      <Section title={t('system.health')}>
        <dl className="facts">
          <dt>{t('system.ready')}</dt>
          <dd>{!ready.data ? '…' : ready.data.ok ? <span className="ok">{t('common.yes')}</span> : <span className="bad">{t('system.notReady', { detail: ready.data.detail })}</span>}</dd>
          <dt>{t('system.version')}</dt>
          <dd>{session.version}</dd>
          <dt>{t('system.metrics')}</dt>
          <dd>
            <a href="/metrics">/metrics</a>
          </dd>
        </dl>
      </Section>
      <Section title={t('system.queue')}>
        {depth.problem && <ProblemMessage problem={depth.problem} />}
        {!depth.data && !depth.problem && <Loading />}
        {depth.data && (
          <dl className="figures">
            {(['waiting', 'delayed', 'active', 'failed'] as const).map((k) => (
              <div key={k}>
                <dt>{t(`system.${k}`)}</dt>
                <dd>{number(depth.data![k])}</dd>
              </div>
            ))}
          </dl>
        )}
      </Section>
      <Section title={t('system.deadLetters')}>
        {failed.problem && <ProblemMessage problem={failed.problem} />}
        {failed.data && failed.data.data.length === 0 && <p>{t('system.noDeadLetters')}</p>}
        {failed.data && failed.data.data.length > 0 && (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('system.job')}</th>
                  <th scope="col">{t('system.attempts')}</th>
                  <th scope="col">{t('system.lastError')}</th>
                </tr>
              </thead>
              <tbody>
                {failed.data.data.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <code>{j.name}</code> <span className="muted">{j.id}</span>
                    </td>
                    <td>{number(j.attempts)}</td>
                    <td>
                      <code className="wrap">{(j.error ?? '').split('\n')[0]}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
