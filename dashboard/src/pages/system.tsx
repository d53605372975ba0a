import { useState } from 'react';
import { call } from '../api/client.ts';
import { ConfirmButton } from '../ui/confirm.tsx';
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
  const [retried, setRetried] = useState<number | undefined>();
  // A retried job leaves the dead letters and goes back to the queue: both are read again.
  const afterRetry = () => {
    depth.reload();
    failed.reload();
  };
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
      <Section
        title={t('system.deadLetters')}
        actions={
          failed.data && failed.data.data.length > 0 ? (
            <ConfirmButton
              label={t('system.retryAll')}
              message={t('system.retryAllConfirm')}
              confirmLabel={t('system.retryAll')}
              action={async () => {
                setRetried((await call('retryAllFailedJobs')).retried);
                afterRetry();
              }}
            />
          ) : undefined
        }
      >
        {retried !== undefined && (
          <p className="notice" role="status">
            {t('system.retried', { count: number(retried) })}
          </p>
        )}
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
                  <th scope="col">
                    <span className="visually-hidden">{t('system.retry')}</span>
                  </th>
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
                    <td>
                      <ConfirmButton
                        label={t('system.retry')}
                        title={`${t('system.retry')}: ${j.name} ${j.id}`}
                        message={t('system.retryConfirm', { id: j.id })}
                        confirmLabel={t('system.retry')}
                        action={async () => {
                          await call('retryFailedJob', { params: { id: j.id } });
                          setRetried(undefined);
                          afterRetry();
                        }}
                      />
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
