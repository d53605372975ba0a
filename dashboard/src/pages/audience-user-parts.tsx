import { useEffect, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Subscription } from '../ui/audience-types.ts';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

const RECENT = 20;

/** A device's address, shortened: enough to tell two apart, never a key (the API holds those back). */
function address(s: Subscription): string {
  const full = s.endpoint ?? s.token ?? '';
  return full.length > 48 ? `${full.slice(0, 32)}…${full.slice(-12)}` : full;
}

/** The user's subscriptions, grouped by channel, a page at a time by the API's cursor. */
export function UserDevices({ appId, externalId }: { appId: string; externalId: string }) {
  const { t, date } = useI18n();
  const [rows, setRows] = useState<Subscription[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const load = async (cursor?: string, signal?: AbortSignal) => {
    try {
      const page = await call('listSubscriptions', { params: { appId }, query: { userId: externalId, ...(cursor ? { cursor } : {}) }, ...(signal ? { signal } : {}) });
      setRows((prev) => (cursor ? [...(prev ?? []), ...page.data] : page.data));
      setNext(page.next);
    } catch (err) {
      if (signal?.aborted) return;
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { detail: String(err) }));
    }
  };
  useEffect(() => {
    const controller = new AbortController();
    void load(undefined, controller.signal);
    return () => controller.abort();
  }, [appId, externalId]);
  const channels = [...new Set((rows ?? []).map((s) => s.channel))].sort();
  return (
    <Section title={t('user.devices')}>
      <ProblemMessage problem={problem} />
      {!rows && !problem && <Loading />}
      {rows && rows.length === 0 && <p className="muted">{t('user.noDevices')}</p>}
      {channels.map((channel) => (
        <div key={channel} className="scroll">
          <h3>{channel}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('user.device')}</th>
                <th scope="col">{t('user.tags')}</th>
                <th scope="col">{t('common.created')}</th>
              </tr>
            </thead>
            <tbody>
              {rows!
                .filter((s) => s.channel === channel)
                .map((s) => (
                  <tr key={s.id}>
                    <td>
                      <code className="wrap">{address(s)}</code>
                    </td>
                    <td>
                      {Object.entries(s.tags)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ') || '—'}
                    </td>
                    <td>{date(s.createdAt)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ))}
      {next && (
        <button type="button" className="secondary" onClick={() => void load(next)}>
          {t('audience.more')}
        </button>
      )}
    </Section>
  );
}

/**
 * Recent events and failed deliveries, read from the user's export: the API has no list of
 * one user's events or deliveries of its own (docs/dashboard.md), and the export holds both.
 */
export function UserActivity({ appId, externalId }: { appId: string; externalId: string }) {
  const { t, date } = useI18n();
  const data = useLoad((signal) => call('exportUser', { params: { appId, externalId }, signal }), [appId, externalId]);
  const events = [...(data.data?.events ?? [])].sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECENT);
  const failures = [...(data.data?.deliveryFailures ?? [])].sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECENT);
  return (
    <>
      <Section title={t('user.events')}>
        <ProblemMessage problem={data.problem} />
        {!data.data && !data.problem && <Loading />}
        {data.data && events.length === 0 && <p className="muted">{t('user.noEvents')}</p>}
        {events.length > 0 && (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('user.event')}</th>
                  <th scope="col">{t('user.at')}</th>
                  <th scope="col">{t('user.properties')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e, i) => (
                  <tr key={e.id ?? `${e.at}-${i}`}>
                    <td>
                      <code>{e.name}</code>
                    </td>
                    <td>{date(e.at)}</td>
                    <td>
                      <code className="wrap">{Object.keys(e.properties).length ? JSON.stringify(e.properties) : '—'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title={t('user.deliveries')}>
        <p className="hint">{t('user.deliveriesNotYet')}</p>
        {data.data && failures.length === 0 && <p className="muted">{t('user.noFailures')}</p>}
        {failures.length > 0 && (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('user.notification')}</th>
                  <th scope="col">{t('user.outcome')}</th>
                  <th scope="col">{t('user.reason')}</th>
                  <th scope="col">{t('user.at')}</th>
                </tr>
              </thead>
              <tbody>
                {failures.map((f, i) => (
                  <tr key={`${f.notificationId}-${f.subscriptionId}-${i}`}>
                    <td>
                      <code>{f.notificationId}</code>
                    </td>
                    <td>
                      {f.outcome}
                      {f.statusCode !== null ? ` (${f.statusCode})` : ''}
                    </td>
                    <td>{f.reason}</td>
                    <td>{date(f.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

/** The user's own quiet hours (GET/PUT .../quiet-hours): a window of their local time, or the app's. */
export function UserQuietHours({ appId, externalId, editable }: { appId: string; externalId: string; editable: boolean }) {
  const { t } = useI18n();
  const current = useLoad((signal) => call('getUserQuietHours', { params: { appId, externalId }, signal }), [appId, externalId]);
  const [own, setOwn] = useState<boolean | undefined>();
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!current.data) return;
    setOwn(current.data.quietHours !== null);
    setStart(current.data.quietHours?.start ?? '22:00');
    setEnd(current.data.quietHours?.end ?? '07:00');
  }, [current.data]);
  const save = useSubmit(
    () => call('setUserQuietHours', { params: { appId, externalId }, body: { quietHours: own ? { start, end } : null } }),
    (next) => {
      current.setData(next);
      setSaved(true);
    },
  );
  return (
    <Section title={t('user.quietHours')}>
      <ProblemMessage problem={current.problem} />
      {own === undefined && !current.problem && <Loading />}
      {own !== undefined && (
        <form onSubmit={(e) => void save.onSubmit(e)} noValidate onChange={() => setSaved(false)}>
          <p className="hint">{t('user.quietHint')}</p>
          <Field label={t('user.quietOwn')} type="checkbox" checked={own} disabled={!editable} onChange={(e) => setOwn(e.target.checked)} />
          {own && (
            <div className="row">
              <Field label={t('user.quietStart')} type="time" value={start} disabled={!editable} onChange={(e) => setStart(e.target.value)} error={save.fieldError('/quietHours/start') ?? save.fieldError('/quietHours')} />
              <Field label={t('user.quietEnd')} type="time" value={end} disabled={!editable} onChange={(e) => setEnd(e.target.value)} error={save.fieldError('/quietHours/end')} />
            </div>
          )}
          <ProblemMessage problem={save.formError('/quietHours/start', '/quietHours/end', '/quietHours')} />
          {editable && (
            <div className="buttons">
              <button type="submit" disabled={save.busy}>
                {t('user.quietSave')}
              </button>
              {saved && <span role="status">{t('common.saved')}</span>}
            </div>
          )}
        </form>
      )}
    </Section>
  );
}
