import { useId } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field } from '../ui/form.tsx';
import { variantText, type Draft, type ScheduleDraft, type ScheduleKind, type VariantDraft, type VariantText } from './compose-model.ts';

type FieldError = (pointer: string) => string | undefined;
const KINDS: ScheduleKind[] = ['now', 'at', 'localTime', 'intelligent', 'recurring'];

/** When it goes: on launch, at an instant, at each user's local time, at their best hour, or recurring (docs/campaigns.md#schedules-with-examples). */
export function ScheduleEditor({ schedule, set, fieldError }: { schedule: ScheduleDraft; set: (s: ScheduleDraft) => void; fieldError: FieldError }) {
  const { t } = useI18n();
  const id = useId();
  const e = (p: string) => fieldError(`/schedule/${p}`) ?? fieldError('/schedule');
  return (
    <div className="compose-schedule">
      <fieldset>
        <legend>{t('compose.schedule.kind')}</legend>
        <div className="row">
          {KINDS.map((k) => (
            <div className="field field-check" key={k}>
              <label htmlFor={`${id}-${k}`}>{t(`compose.schedule.${k}` as MessageKey)}</label>
              <input id={`${id}-${k}`} type="radio" name={`${id}-kind`} checked={schedule.kind === k} onChange={() => set({ ...schedule, kind: k })} />
            </div>
          ))}
        </div>
      </fieldset>
      {schedule.kind === 'at' && <Field label={t('compose.schedule.atField')} type="datetime-local" value={schedule.at} error={e('at')} onChange={(ev) => set({ ...schedule, at: ev.target.value })} />}
      {schedule.kind === 'localTime' && (
        <div className="row">
          <Field label={t('compose.schedule.date')} type="date" value={schedule.date} error={e('localTime/date')} onChange={(ev) => set({ ...schedule, date: ev.target.value })} />
          <Field label={t('compose.schedule.time')} type="time" value={schedule.time} error={e('localTime/time')} onChange={(ev) => set({ ...schedule, time: ev.target.value })} />
          <div className="field">
            <label htmlFor={`${id}-passed`}>{t('compose.schedule.whenPassed')}</label>
            <select id={`${id}-passed`} value={schedule.whenPassed} onChange={(ev) => set({ ...schedule, whenPassed: ev.target.value as ScheduleDraft['whenPassed'] })}>
              <option value="send_now">{t('compose.schedule.sendNow')}</option>
              <option value="skip">{t('compose.schedule.skip')}</option>
            </select>
          </div>
        </div>
      )}
      {schedule.kind === 'intelligent' && (
        <div className="row">
          <Field label={t('compose.schedule.within')} value={schedule.within} error={e('intelligent/within')} placeholder="24h" onChange={(ev) => set({ ...schedule, within: ev.target.value })} />
          <Field label={t('compose.schedule.fallback')} type="time" value={schedule.fallback} error={e('intelligent/fallback')} onChange={(ev) => set({ ...schedule, fallback: ev.target.value })} />
        </div>
      )}
      {schedule.kind === 'recurring' && (
        <div className="row">
          <Field label={t('compose.schedule.cron')} value={schedule.cron} error={e('recurring/cron')} hint={t('compose.schedule.cronHint')} spellCheck={false} onChange={(ev) => set({ ...schedule, cron: ev.target.value })} />
          <Field label={t('compose.schedule.timezone')} value={schedule.timezone} error={e('recurring/timezone')} spellCheck={false} onChange={(ev) => set({ ...schedule, timezone: ev.target.value })} />
        </div>
      )}
    </div>
  );
}

/** Throttle, caps override, and A/B variants with a holdout (docs/campaigns.md). */
export function SendingEditor({ draft, set, fieldError }: { draft: Draft; set: (d: Draft) => void; fieldError: FieldError }) {
  const { t } = useI18n();
  const setVariant = (i: number, v: Partial<VariantDraft>) => set({ ...draft, variants: draft.variants.map((x, j) => (j === i ? { ...x, ...v } : x)) });
  const variantsError = fieldError('/variants') ?? fieldError('/variants/split');
  return (
    <div className="compose-sending">
      <div className="row">
        <Field label={t('compose.throttle')} type="number" min={1} value={draft.throttle} hint={t('compose.throttleHint')} error={fieldError('/throttle/perMinute') ?? fieldError('/throttle')} onChange={(e) => set({ ...draft, throttle: e.target.value })} />
        <Field label={t('compose.ignoreCaps')} type="checkbox" checked={draft.ignoreCaps} hint={t('compose.ignoreCapsHint')} onChange={(e) => set({ ...draft, ignoreCaps: e.target.checked })} />
      </div>
      <fieldset>
        <legend>{t('compose.variants')}</legend>
        <p className="hint">{t('compose.variantsHint')}</p>
        {draft.variants.map((v, i) => (
          <div className="compose-variant" key={i} data-variant={i}>
            <div className="row">
              <Field label={t('compose.variant.id', { n: i + 1 })} value={v.id} error={fieldError(`/variants/split/${i}/id`)} onChange={(e) => setVariant(i, { id: e.target.value })} />
              <Field label={t('compose.variant.weight', { n: i + 1 })} type="number" min={0} value={v.weight} error={fieldError(`/variants/split/${i}/weight`)} onChange={(e) => setVariant(i, { weight: e.target.value })} />
              <button type="button" className="secondary" onClick={() => set({ ...draft, variants: draft.variants.filter((_, j) => j !== i) })}>
                {t('compose.variant.remove', { n: i + 1 })}
              </button>
            </div>
            {draft.languages.map((l) => {
              const own = variantText(v, l);
              const setText = (change: Partial<VariantText>) => setVariant(i, { texts: { ...v.texts, [l]: { ...own, ...change } } });
              return (
                <div className="row" key={l}>
                  <Field label={t('compose.variant.titleIn', { n: i + 1, language: l })} value={own.title} placeholder={draft.versions[l]?.title ?? ''} error={fieldError(`/variants/split/${i}/content/${l}/title`)} onChange={(e) => setText({ title: e.target.value })} />
                  <Field label={t('compose.variant.bodyIn', { n: i + 1, language: l })} value={own.body} placeholder={draft.versions[l]?.body ?? ''} error={fieldError(`/variants/split/${i}/content/${l}/body`)} onChange={(e) => setText({ body: e.target.value })} />
                </div>
              );
            })}
          </div>
        ))}
        {draft.variants.length < 8 && (
          <button type="button" className="secondary" onClick={() => set({ ...draft, variants: [...draft.variants, { id: String.fromCharCode(65 + draft.variants.length), weight: '1', texts: {} }] })}>
            {t('compose.variant.add')}
          </button>
        )}
        {draft.variants.length > 0 && <Field label={t('compose.holdout')} type="number" min={0} max={0.5} step={0.05} value={draft.holdout} hint={t('compose.holdoutHint')} error={fieldError('/variants/holdout')} onChange={(e) => set({ ...draft, holdout: e.target.value })} />}
        {variantsError && <p className="field-error">{variantsError}</p>}
      </fieldset>
    </div>
  );
}
