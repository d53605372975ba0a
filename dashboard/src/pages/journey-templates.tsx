import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/**
 * The templates a new journey may start from (`listJourneyTemplates`: the recipes of
 * docs/journeys.md): choosing one puts its body in the editor, to change before it is
 * saved; saving is a plain createJourney.
 */
export function JourneyTemplates({ appId, onChoose }: { appId: string; onChoose(body: Record<string, unknown>): void }) {
  const { t } = useI18n();
  const templates = useLoad((signal) => call('listJourneyTemplates', { params: { appId }, signal }), [appId]);
  return (
    <Section title={t('journey.templates')}>
      {templates.problem && <ProblemMessage problem={templates.problem} />}
      {!templates.data && !templates.problem && <Loading />}
      {templates.data && (
        <ul className="journey-templates plain">
          {templates.data.data.map((tpl) => (
            <li key={tpl.id}>
              <button type="button" className="secondary" onClick={() => onChoose(tpl.journey)} aria-describedby={`template-${tpl.id}`}>
                {t('journey.useTemplate', { name: tpl.name })}
              </button>
              <p className="hint" id={`template-${tpl.id}`}>
                {tpl.description}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
