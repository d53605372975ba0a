import { useState } from 'react';
import { call } from '../api/client.ts';
import type { App, CapRule } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

export function AppSettings({ app, editable, onSaved }: { app: App; editable: boolean; onSaved(app: App): void }) {
  const { t } = useI18n();
  const [categories, setCategories] = useState(app.categories.join(', '));
  const [verify, setVerify] = useState(app.identityVerification);
  const [saved, setSaved] = useState(false);
  const list = categories.split(',').map((c) => c.trim()).filter(Boolean);
  const save = useSubmit(
    () => call('updateApp', { params: { appId: app.id }, body: { categories: list, identityVerification: verify } }),
    (next) => {
      setSaved(true);
      onSaved(next);
    },
  );
  // `/categories/2` names the third entry: shown on the one field that holds them all.
  const categoryError = [...(save.problem?.fields ?? [])].find(([p]) => p.startsWith('/categories'))?.[1];
  return (
    <Section title={t('app.settings')}>
      <form onSubmit={(e) => void save.onSubmit(e)} noValidate onChange={() => setSaved(false)}>
        <fieldset disabled={!editable}>
          <Field label={t('app.categories')} name="categories" value={categories} onChange={(e) => setCategories(e.target.value)} hint={t('app.categoriesHint')} error={categoryError} />
          <Field label={t('apps.identityVerification')} type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} error={save.fieldError('/identityVerification')} />
        </fieldset>
        <ProblemMessage problem={categoryError ? undefined : save.formError('/identityVerification')} />
        {editable && (
          <div className="buttons">
            <button type="submit" disabled={save.busy}>
              {t('common.save')}
            </button>
            {saved && <span role="status">{t('common.saved')}</span>}
          </div>
        )}
      </form>
    </Section>
  );
}

/** Time zone, quiet hours and frequency caps: PATCH /v1/apps/{appId}/campaign-settings. */
export function CampaignDefaults({ appId, editable }: { appId: string; editable: boolean }) {
  const { t } = useI18n();
  const loaded = useLoad((signal) => call('getCampaignSettings', { params: { appId }, signal }), [appId]);
  if (loaded.problem) return <Section title={t('app.campaignDefaults')}><ProblemMessage problem={loaded.problem} /></Section>;
  if (!loaded.data) return <Section title={t('app.campaignDefaults')}><Loading /></Section>;
  return <CampaignDefaultsForm appId={appId} editable={editable} initial={loaded.data} />;
}

function CampaignDefaultsForm({ appId, editable, initial }: { appId: string; editable: boolean; initial: { timezone: string | null; quietHours: { start: string; end: string } | null; capRules: CapRule[] } }) {
  const { t } = useI18n();
  const [timezone, setTimezone] = useState(initial.timezone ?? '');
  const [start, setStart] = useState(initial.quietHours?.start ?? '');
  const [end, setEnd] = useState(initial.quietHours?.end ?? '');
  const [caps, setCaps] = useState<{ max: string; window: string }[]>(initial.capRules.map((r) => ({ max: String(r.max), window: r.window })));
  const [saved, setSaved] = useState(false);
  const save = useSubmit(
    () =>
      call('updateCampaignSettings', {
        params: { appId },
        body: {
          timezone: timezone.trim() || null,
          quietHours: start || end ? { start, end } : null,
          // A number the API refuses is sent as typed, so that its answer points at the field.
          capRules: caps.map((c) => ({ max: /^\d+$/.test(c.max) ? Number(c.max) : c.max, window: c.window.trim() })),
        },
      }),
    () => setSaved(true),
  );
  const pointers = ['/timezone', '/quietHours', '/quietHours/start', '/quietHours/end', ...caps.flatMap((_, i) => [`/capRules/${i}`, `/capRules/${i}/max`, `/capRules/${i}/window`])];
  const quietError = save.fieldError('/quietHours') ?? save.fieldError('/quietHours/start');
  return (
    <Section title={t('app.campaignDefaults')}>
      <form onSubmit={(e) => void save.onSubmit(e)} noValidate onChange={() => setSaved(false)}>
        <fieldset disabled={!editable}>
          <Field label={t('app.timezone')} name="timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)} error={save.fieldError('/timezone')} />
          <div className="row">
            <Field label={t('app.quietStart')} name="quietStart" value={start} placeholder="21:00" onChange={(e) => setStart(e.target.value)} error={quietError} />
            <Field label={t('app.quietEnd')} name="quietEnd" value={end} placeholder="08:00" onChange={(e) => setEnd(e.target.value)} error={save.fieldError('/quietHours/end')} />
          </div>
          <fieldset className="caps">
            <legend>{t('app.caps')}</legend>
            {caps.map((cap, i) => (
              <div className="row" key={i}>
                <Field label={t('app.capMax')} inputMode="numeric" value={cap.max} onChange={(e) => setCaps(caps.map((c, j) => (j === i ? { ...c, max: e.target.value } : c)))} error={save.fieldError(`/capRules/${i}/max`) ?? save.fieldError(`/capRules/${i}`)} />
                <Field label={t('app.capWindow')} value={cap.window} onChange={(e) => setCaps(caps.map((c, j) => (j === i ? { ...c, window: e.target.value } : c)))} error={save.fieldError(`/capRules/${i}/window`)} />
                {editable && (
                  <button type="button" className="secondary" onClick={() => setCaps(caps.filter((_, j) => j !== i))}>
                    {t('app.capRemove')}
                  </button>
                )}
              </div>
            ))}
            {editable && (
              <button type="button" className="secondary" onClick={() => setCaps([...caps, { max: '3', window: '24h' }])}>
                {t('app.capAdd')}
              </button>
            )}
          </fieldset>
        </fieldset>
        <ProblemMessage problem={save.formError(...pointers)} />
        {editable && (
          <div className="buttons">
            <button type="submit" disabled={save.busy}>
              {t('common.save')}
            </button>
            {saved && <span role="status">{t('common.saved')}</span>}
          </div>
        )}
      </form>
    </Section>
  );
}
