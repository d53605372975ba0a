import { useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { can, useSession } from '../session.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { WebhookMessage } from './campaign-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { Pager } from './campaigns.tsx';

/** One attempt of a message (GET .../messages: `attemptLog`, docs/webhooks.md#delivery-log). */
interface Attempt {
  attempt: number;
  replay: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
  nextAttemptAt: string | null;
}
type LoggedMessage = WebhookMessage & { attemptLog?: Attempt[] };

/** Every attempt of a message, oldest first, folded under its count. */
function AttemptLog({ message }: { message: LoggedMessage }) {
  const { t, number, date } = useI18n();
  const attempts = message.attemptLog ?? [];
  if (attempts.length === 0) return null;
  return (
    <details className="attempt-log">
      <summary>{t('webhook.attemptLog')}</summary>
      <table>
        <caption className="visually-hidden">{t('webhook.attemptLogOf', { id: message.id })}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">{t('webhook.attempt')}</th>
            <th scope="col">{t('webhook.attemptAt')}</th>
            <th scope="col">{t('webhook.attemptResult')}</th>
            <th scope="col" className="num">{t('webhook.duration')}</th>
            <th scope="col">{t('webhook.attemptResponse')}</th>
            <th scope="col">{t('webhook.next')}</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.attempt}>
              <td className="num">
                {number(a.attempt)}
                {a.replay > 0 && <><br /><span className="muted">{t('webhook.attemptReplay', { n: number(a.replay) })}</span></>}
              </td>
              <td>{date(a.at)}</td>
              <td>
                <span className={a.status !== null && a.status >= 200 && a.status < 300 ? 'ok' : 'bad'}>{a.status !== null ? `HTTP ${a.status}` : t('webhook.noAnswer')}</span>
                {a.error && a.status === null && <><br /><span className="muted">{a.error}</span></>}
              </td>
              <td className="num">{t('webhook.ms', { ms: number(a.durationMs) })}</td>
              <td>{a.response === null ? '–' : <code className="excerpt">{a.response}</code>}</td>
              <td>{a.nextAttemptAt ? date(a.nextAttemptAt) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** A datetime-local value (the operator's zone) as RFC 3339, or '' for none. */
function instant(local: string): string {
  return local ? new Date(local).toISOString() : '';
}

/** One endpoint's delivery log, newest first and paged, with replay of one message or of a time range. */
export function WebhookPage({ appId, webhookId }: { appId: string; webhookId: string }) {
  const { t, number, date } = useI18n();
  const { session } = useSession();
  const owner = can(session, appId, 'owner');
  const webhook = useLoad((signal) => call('getWebhook', { params: { appId, id: webhookId }, signal }), [appId, webhookId]);
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const log = useLoad(
    (signal) => call('listWebhookMessages', { params: { appId, id: webhookId }, query: { limit: '25', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) }, signal }),
    [appId, webhookId, status, cursor],
  );
  const [replayed, setReplayed] = useState<string | undefined>();
  const [replayProblem, setReplayProblem] = useState<ApiProblem | undefined>();
  const replay = async (m: WebhookMessage) => {
    setReplayed(undefined);
    setReplayProblem(undefined);
    try {
      const r = await call('replayWebhookMessages', { params: { appId, id: webhookId }, body: { messageId: m.id } });
      setReplayed(t('webhook.replayed', { count: number(r.replayed) }));
      log.reload();
    } catch (err) {
      setReplayProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
    }
  };
  if (webhook.problem) return <div className="page"><ProblemMessage problem={webhook.problem} /></div>;
  if (!webhook.data) return <div className="page"><Loading /></div>;
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('webhook.title', { url: webhook.data.url })}</h1>
      <Section title={t('webhook.log')}>
        <div className="field">
          <label htmlFor="webhook-status">{t('webhook.status')}</label>
          <select
            id="webhook-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setCursors([undefined]);
            }}
          >
            <option value="">{t('webhook.anyStatus')}</option>
            <option value="pending">{t('webhook.status.pending')}</option>
            <option value="delivered">{t('webhook.status.delivered')}</option>
            <option value="failed">{t('webhook.status.failed')}</option>
          </select>
        </div>
        {replayed && <p role="status" className="ok">{replayed}</p>}
        <ProblemMessage problem={replayProblem} />
        {log.problem && <ProblemMessage problem={log.problem} />}
        {!log.data && !log.problem && <Loading />}
        {log.data && log.data.data.length === 0 && <p>{t('webhook.noMessages')}</p>}
        {log.data && log.data.data.length > 0 && (
          <ScrollTable label={t('webhook.log')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('webhook.message')}</th>
                  <th scope="col">{t('webhook.status')}</th>
                  <th scope="col" className="num">{t('webhook.attempts')}</th>
                  <th scope="col" className="num">{t('webhook.duration')}</th>
                  <th scope="col">{t('webhook.last')}</th>
                  <th scope="col">{t('webhook.next')}</th>
                  {owner && <th scope="col"><span className="visually-hidden">{t('webhook.replay')}</span></th>}
                </tr>
              </thead>
              <tbody>
                {log.data.data.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <code>{m.id}</code>
                      <br />
                      {m.type} <span className="muted">{date(m.eventAt)}</span>
                    </td>
                    <td>
                      <span className={m.status === 'delivered' ? 'ok' : m.status === 'failed' ? 'bad' : undefined}>{t(`webhook.status.${m.status}`)}</span>
                      {m.lastStatus !== null && <> · HTTP {m.lastStatus}</>}
                      {m.lastError && <><br /><span className="muted">{m.lastError}</span></>}
                    </td>
                    <td className="num">
                      {number(m.attempts)}
                      <AttemptLog message={m as LoggedMessage} />
                    </td>
                    <td className="num">{m.lastDurationMs === null ? '–' : t('webhook.ms', { ms: number(m.lastDurationMs) })}</td>
                    <td>{m.lastAttemptAt ? date(m.lastAttemptAt) : '–'}</td>
                    <td>{m.nextAttemptAt ? date(m.nextAttemptAt) : '–'}</td>
                    {owner && (
                      <td>
                        <button type="button" className="secondary" onClick={() => void replay(m)} aria-label={t('webhook.replayOne', { id: m.id })}>
                          {t('webhook.replay')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
        <Pager hasPrevious={cursors.length > 1} next={log.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
      </Section>
      {owner && <ReplayRange appId={appId} webhookId={webhookId} onDone={log.reload} />}
    </div>
  );
}

function ReplayRange({ appId, webhookId, onDone }: { appId: string; webhookId: string; onDone(): void }) {
  const { t, number } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [done, setDone] = useState<number | undefined>();
  const save = useSubmit(
    () => call('replayWebhookMessages', { params: { appId, id: webhookId }, body: { from: instant(from), to: instant(to) } }),
    (r) => {
      setDone(r.replayed);
      onDone();
    },
  );
  return (
    <Section title={t('webhook.replayRange')}>
      <form className="row" onSubmit={(e) => void save.onSubmit(e)} noValidate>
        <Field label={t('webhook.from')} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} error={save.fieldError('/from')} />
        <Field label={t('webhook.to')} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} error={save.fieldError('/to')} />
        <div className="field">
          <button type="submit" disabled={save.busy}>
            {t('webhook.replayRangeSubmit')}
          </button>
        </div>
      </form>
      <ProblemMessage problem={save.formError('/from', '/to')} />
      {done !== undefined && <p role="status" className="ok">{t('webhook.replayed', { count: number(done) })}</p>}
    </Section>
  );
}
