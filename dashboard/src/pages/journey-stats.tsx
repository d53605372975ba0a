import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { StepStats } from './journey-types.ts';

/**
 * A journey's per-step counts. The API does not answer them yet (`getJourneyStats`,
 * docs/dashboard.md#journeys): until it does, the flow is drawn without counts and says so.
 */
export function useJourneyStats(_appId: string, _journeyId: string, _loads: number): { counts: Map<string, StepStats> | undefined; summary: ReactNode } {
  const { t } = useI18n();
  return { counts: undefined, summary: <p className="hint">{t('journey.statsNotYet')}</p> };
}
