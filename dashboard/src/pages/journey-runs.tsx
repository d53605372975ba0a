import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { Run } from './journey-types.ts';

/**
 * The journey's latest runs (the API's 100 newest, or one user's), each with where it is
 * and how it ended; choosing one shows its timeline. `version` reloads them when the page
 * reloads the journey (after a lifecycle action, or Refresh, which reloads the counts too).
 */
export function JourneyRuns({ appId, journeyId, version, onRefresh }: { appId: string; journeyId: string; version: number; onRefresh(): void }) {
  const { t, date } = useI18n();
  const [typed, setTyped] = useState('');
  const [userId, setUserId] = useState('');
  const [chosen, setChosen] = useState<string | undefined>();
  const runs = useLoad((signal) => call('listJourneyRuns', { params: { appId, id: journeyId }, ...(userId ? { query: { userId } } : {}), signal }), [appId, journeyId, userId, version]);
  const list = runs.data?.data ?? [];
  const run = list.find((r) => r.id === chosen) ?? (userId ? list[0] : undefined);
  return (
    <Section
      title={t('journey.runs')}
      actions={
        <button type="button" className="secondary" onClick={onRefresh}>
          {t('journey.refresh')}
        </button>
      }
    >
      <form
        className="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setUserId(typed.trim());
          setChosen(undefined);
        }}
      >
        <Field label={t('journey.runsOfUser')} value={typed} onChange={(e) => setTyped(e.target.value)} />
        <div className="field journey-show">
          <button type="submit" className="secondary">
            {t('journey.showRuns')}
          </button>
        </div>
      </form>
      {runs.problem && <ProblemMessage problem={runs.problem} />}
      {!runs.data && !runs.problem && <Loading />}
      {runs.data && list.length === 0 && <p>{userId ? t('journey.noRunsOfUser', { user: userId }) : t('journey.noRuns')}</p>}
      {list.length > 0 && (
        <ScrollTable label={t('journey.runs')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('journey.user')}</th>
                <th scope="col">{t('journey.runState')}</th>
                <th scope="col">{t('journey.runStep')}</th>
                <th scope="col">{t('journey.started')}</th>
                <th scope="col">{t('journey.endedOrDue')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>
                    <button type="button" className="link" aria-pressed={r.id === run?.id} onClick={() => setChosen(r.id)}>
                      {r.userId}
                    </button>
                  </td>
                  <td>{r.state === 'active' ? t('journey.runActive') : t('journey.runEnded', { reason: r.endReason ?? '–' })}</td>
                  <td>{r.step ? <code>{r.step}</code> : '–'}</td>
                  <td>{date(r.startedAt)}</td>
                  <td>{r.endedAt ? date(r.endedAt) : r.dueAt ? t('journey.dueAt', { at: date(r.dueAt) }) : r.waitingFor ? t('journey.waitingFor', { event: r.waitingFor }) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      {run && <RunTimeline run={run} />}
    </Section>
  );
}

/** A run's timeline, as the engine wrote it. */
function RunTimeline({ run }: { run: Run }) {
  const { t } = useI18n();
  return (
    <div className="journey-timeline">
      <h3>{t('journey.timelineOf', { user: run.userId, version: run.version })}</h3>
      <Timeline entries={run.timeline} />
    </div>
  );
}

/** Timeline entries in order: when, at which step, what happened and its detail. */
export function Timeline({ entries }: { entries: { at: string; step: string | null; what: string; detail?: unknown }[] }) {
  const { date } = useI18n();
  return (
    <ol className="timeline">
      {entries.map((e, i) => (
        <li key={i}>
          <time dateTime={e.at}>{date(e.at)}</time> {e.step && <code>{e.step}</code>} <strong>{e.what}</strong>
          {e.detail !== undefined && e.detail !== null && <span className="muted"> · {detailText(e.detail)}</span>}
        </li>
      ))}
    </ol>
  );
}

/** A run's detail is text; a simulation's an object (a send's rendered title and body): its members, in a line. */
function detailText(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail === 'object' && !Array.isArray(detail)) return Object.entries(detail).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
  return JSON.stringify(detail);
}
