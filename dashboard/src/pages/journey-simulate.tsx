import { useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, ProblemMessage, Section, TextAreaField, useSubmit } from '../ui/form.tsx';
import { Timeline } from './journey-runs.tsx';
import type { SimulationResult } from './journey-types.ts';

type Who = 'stored' | 'madeUp';

/**
 * A journey run for one user on a virtual clock (`simulateJourney`): a stored user as they
 * are now, or a made-up one with attributes and events at offsets. Nothing is sent, stored
 * or queued, so a viewer may run it too. The answer's timeline is shown as a run's is; a
 * refusal at the field its pointer starts with (`/events/0/at` at the events).
 */
export function JourneySimulate({ appId, journeyId }: { appId: string; journeyId: string }) {
  const { t } = useI18n();
  const [who, setWho] = useState<Who>('stored');
  const [userId, setUserId] = useState('');
  const [attributes, setAttributes] = useState('{}');
  const [timezone, setTimezone] = useState('');
  const [language, setLanguage] = useState('');
  const [events, setEvents] = useState('[]');
  const [triggerName, setTriggerName] = useState('');
  const [triggerProps, setTriggerProps] = useState('{}');
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<SimulationResult | undefined>();
  const parse = (text: string, pointer: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiProblem(0, { code: 'invalid_request', detail: t('journey.notJsonShort'), pointer });
    }
  };
  const submit = useSubmit(
    () => {
      const body: Record<string, unknown> = who === 'stored' ? { userId: userId.trim() } : { user: { attributes: parse(attributes, '/user/attributes'), ...(timezone ? { timezone } : {}), ...(language ? { language } : {}) } };
      const happening = parse(events, '/events');
      if (!Array.isArray(happening) || happening.length > 0) body.events = happening;
      // The trigger's name is the journey's own unless another is given; no properties unless given.
      const props = parse(triggerProps, '/trigger/properties');
      const propsGiven = !(props && typeof props === 'object' && !Array.isArray(props) && Object.keys(props).length === 0);
      if (triggerName.trim() || propsGiven) body.trigger = { ...(triggerName.trim() ? { name: triggerName.trim() } : {}), properties: props };
      if (until.trim()) body.until = until.trim();
      setResult(undefined);
      return call('simulateJourney', { params: { appId, id: journeyId }, body });
    },
    (answer) => setResult(answer),
  );
  /** The first detail of a pointer at or under `prefix`: a JSON field shows what is wrong inside it. */
  const under = (prefix: string) => {
    for (const [pointer, detail] of submit.problem?.fields ?? []) if (pointer === prefix || pointer.startsWith(`${prefix}/`)) return pointer === prefix ? detail : `${pointer}: ${detail}`;
    return undefined;
  };
  const shown = ['/userId', '/user/attributes', '/user/timezone', '/user/language', '/events', '/trigger', '/until'];
  const elsewhere = submit.problem && ![...submit.problem.fields.keys()].some((p) => shown.some((s) => p === s || p.startsWith(`${s}/`)));
  return (
    <Section title={t('journey.simulate')}>
      <p className="hint">{t('journey.simulateHint')}</p>
      <form onSubmit={(e) => void submit.onSubmit(e)} noValidate>
        <fieldset className="row journey-who">
          <legend>{t('journey.simulateWho')}</legend>
          {(['stored', 'madeUp'] as const).map((w) => (
            <div className="field field-check" key={w}>
              <label htmlFor={`sim-${w}`}>{t(w === 'stored' ? 'journey.simulateStored' : 'journey.simulateMadeUp')}</label>
              <input id={`sim-${w}`} type="radio" name="sim-who" checked={who === w} onChange={() => setWho(w)} />
            </div>
          ))}
        </fieldset>
        {who === 'stored' ? (
          <Field label={t('journey.simulateUserId')} value={userId} onChange={(e) => setUserId(e.target.value)} error={under('/userId')} />
        ) : (
          <>
            <JsonArea label={t('journey.simulateAttributes')} value={attributes} onChange={setAttributes} error={under('/user/attributes')} rows={3} />
            <div className="row">
              <Field label={t('journey.simulateTimezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="Europe/Paris" error={under('/user/timezone')} />
              <Field label={t('journey.simulateLanguage')} value={language} onChange={(e) => setLanguage(e.target.value)} placeholder="fr" error={under('/user/language')} />
            </div>
          </>
        )}
        <JsonArea label={t('journey.simulateEvents')} hint={t('journey.simulateEventsHint')} value={events} onChange={setEvents} error={under('/events')} rows={4} />
        <div className="row">
          <Field label={t('journey.simulateTrigger')} hint={t('journey.simulateTriggerHint')} value={triggerName} onChange={(e) => setTriggerName(e.target.value)} error={under('/trigger/name') ?? (under('/trigger/properties') ? undefined : under('/trigger'))} />
          <Field label={t('journey.simulateUntil')} hint={t('journey.simulateUntilHint')} value={until} onChange={(e) => setUntil(e.target.value)} placeholder="30d" error={under('/until')} />
        </div>
        <JsonArea label={t('journey.simulateTriggerProps')} value={triggerProps} onChange={setTriggerProps} error={under('/trigger/properties')} rows={3} />
        {elsewhere && <ProblemMessage problem={submit.problem} />}
        <div className="buttons">
          <button type="submit" disabled={submit.busy}>
            {t('journey.simulateRun')}
          </button>
        </div>
      </form>
      {result && (
        <div className="journey-timeline" role="status">
          <h3>{t('journey.simulated')}</h3>
          <p>{result.endedBy ? t('journey.simulatedEnd', { reason: result.endedBy }) : t('journey.simulatedOpen')}</p>
          <Timeline entries={result.timeline} />
        </div>
      )}
    </Section>
  );
}

function JsonArea({ label, onChange, rows, ...props }: { label: string; hint?: string; value: string; onChange(v: string): void; error: string | undefined; rows: number }) {
  return <TextAreaField id={`sim-${label.replace(/\W+/g, '-').toLowerCase()}`} label={label} rows={rows} spellCheck={false} {...props} onChange={(e) => onChange(e.currentTarget.value)} />;
}
