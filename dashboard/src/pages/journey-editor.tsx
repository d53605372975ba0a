import { useId, useState } from 'react';
import { ApiProblem } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemMessage, useSubmit } from '../ui/form.tsx';

/**
 * A journey as JSON in a textarea (the body createJourney and updateJourney take). A
 * refusal's JSON pointer (`/steps/1/send/content/en/title`) is shown next to the field with
 * its detail, since the field is the whole document; text that is no JSON object is
 * refused here before any call.
 */
export function JourneyJsonEditor({ text, onText, save, saveLabel, disabled }: { text: string; onText(text: string): void; save(body: Record<string, unknown>): Promise<unknown>; saveLabel: string; disabled?: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [local, setLocal] = useState<string | undefined>();
  const submit = useSubmit(async () => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setLocal(t('journey.notJson', { detail: err instanceof Error ? err.message : String(err) }));
      throw new ApiProblem(0, { code: 'invalid_request', detail: t('journey.notJsonShort'), pointer: '' });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      setLocal(t('journey.notObject'));
      throw new ApiProblem(0, { code: 'invalid_request', detail: t('journey.notObject'), pointer: '' });
    }
    setLocal(undefined);
    return save(body as Record<string, unknown>);
  });
  const fields = submit.problem ? [...submit.problem.fields.entries()] : [];
  const errorId = `${id}-error`;
  const atField = local !== undefined || fields.length > 0;
  return (
    <form onSubmit={(e) => void submit.onSubmit(e)} noValidate>
      <div className="field">
        <label htmlFor={id}>{t('journey.definition')}</label>
        <textarea id={id} className="journey-json" rows={18} spellCheck={false} value={text} disabled={disabled} onChange={(e) => onText(e.target.value)} aria-invalid={atField ? true : undefined} aria-describedby={atField ? `${id}-hint ${errorId}` : `${id}-hint`} />
        <p className="hint" id={`${id}-hint`}>
          {t('journey.definitionHint')}
        </p>
        {atField && (
          <div className="field-error" id={errorId} role="alert">
            {local ?? (
              <ul className="plain">
                {fields.map(([pointer, detail]) => (
                  <li key={pointer}>
                    {t('journey.at')} <code>{pointer || '/'}</code>: {withoutPointer(detail, pointer)} <code>{submit.problem?.code}</code>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      {!atField && <ProblemMessage problem={submit.problem} />}
      {!disabled && (
        <div className="buttons">
          <button type="submit" disabled={submit.busy}>
            {saveLabel}
          </button>
        </div>
      )}
    </form>
  );
}

/** The body of a journey as the editor shows it: the name first, then the definition's members. */
export function journeyText(name: string, definition: Record<string, unknown>): string {
  return JSON.stringify({ name, ...definition }, null, 2);
}

/** The API's detail may start with the pointer it names: shown once, before it. */
function withoutPointer(detail: string, pointer: string): string {
  return detail.startsWith(`${pointer}: `) ? detail.slice(pointer.length + 2) : detail;
}
