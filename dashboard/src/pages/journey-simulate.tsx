import { useI18n } from '../i18n/i18n.tsx';

/** The simulation of a journey for a user (`simulateJourney`): not answered by the API yet. */
export function JourneySimulate(_: { appId: string; journeyId: string }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-label={t('journey.simulate')}>
      <h2>{t('journey.simulate')}</h2>
      <p className="hint">{t('journey.simulateNotYet')}</p>
    </section>
  );
}
