import { useI18n } from '../i18n/i18n.tsx';

/**
 * The templates a new journey may start from. The API does not list them yet
 * (`listJourneyTemplates`, docs/dashboard.md#journeys): until it does, the page says so and
 * starts from a blank journey.
 */
export function JourneyTemplates(_: { appId: string; onChoose(body: Record<string, unknown>): void }) {
  const { t } = useI18n();
  return <p className="hint">{t('journey.templatesNotYet')}</p>;
}
