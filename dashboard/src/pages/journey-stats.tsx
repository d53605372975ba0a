import { useMemo, type ReactNode } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemMessage } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { JourneyStats, StepStats } from './journey-types.ts';

/**
 * A journey's counts for its current version (`getJourneyStats`): each step's by its
 * pointer, for the flow, and the runs' own (in flight, ended, converted, and how they ended)
 * above it. Read again whenever `loads` changes (an action, the runs' Refresh).
 */
export function useJourneyStats(appId: string, journeyId: string, loads: number): { counts: Map<string, StepStats> | undefined; summary: ReactNode } {
  const stats = useLoad((signal) => call('getJourneyStats', { params: { appId, id: journeyId }, signal }), [appId, journeyId, loads]);
  const counts = useMemo(() => (stats.data ? new Map(stats.data.steps.map((s) => [s.step, s])) : undefined), [stats.data]);
  return { counts, summary: stats.problem ? <ProblemMessage problem={stats.problem} /> : stats.data ? <RunFigures stats={stats.data} /> : null };
}

function RunFigures({ stats }: { stats: JourneyStats }) {
  const { t, number } = useI18n();
  const ended = Object.entries(stats.ended).filter(([, n]) => n > 0);
  return (
    <>
      <p className="hint">{t('journey.countsOf', { version: stats.version })}</p>
      <dl className="figures journey-figures">
        <div>
          <dt>{t('journeys.inFlight')}</dt>
          <dd>{number(stats.runs.active)}</dd>
        </div>
        <div>
          <dt>{t('journeys.ended')}</dt>
          <dd>{number(stats.runs.ended)}</dd>
        </div>
        <div>
          <dt>{t('journey.converted')}</dt>
          <dd>{number(stats.runs.converted)}</dd>
        </div>
      </dl>
      {ended.length > 0 && (
        <p className="journey-ended">
          {t('journey.endedBy')} {ended.map(([reason, n]) => `${reason} ${number(n)}`).join(' · ')}
        </p>
      )}
    </>
  );
}
