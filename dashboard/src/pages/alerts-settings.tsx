import { useEffect, useState } from 'react';
import { call } from '../api/client.ts';
import { CAP_CATEGORIES, type AlertSettings } from '../api/alerts.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/**
 * The app's alert settings (docs/civic-alerts.md): the public page, APNs critical alerts,
 * and the preference category each CAP category's alerts go in (blank: civic). Owners
 * change them with one PUT; every other member reads them.
 */
export function AlertSettingsSection({ appId, owner }: { appId: string; owner: boolean }) {
  const { t } = useI18n();
  const load = useLoad((signal) => call('getAlertSettings', { params: { appId }, signal }), [appId]);
  const [form, setForm] = useState<AlertSettings | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(load.data), [load.data]);
  const save = useSubmit(
    () => {
      const categories = Object.fromEntries(Object.entries(form!.categories).filter(([, v]) => v && v.trim() !== '').map(([k, v]) => [k, v!.trim()]));
      return call('setAlertSettings', { params: { appId }, body: { publicPage: form!.publicPage, apnsCriticalAlerts: form!.apnsCriticalAlerts, categories } });
    },
    (settings) => {
      setForm(settings);
      setSaved(true);
    },
  );
  const pointers = ['/publicPage', '/apnsCriticalAlerts', ...CAP_CATEGORIES.map((c) => `/categories/${c}`)];
  return (
    <Section title={t('alerts.settings')}>
      {load.problem && <ProblemMessage problem={load.problem} />}
      {!form && !load.problem && <Loading />}
      {form && (
        <form
          onSubmit={(e) => {
            setSaved(false);
            void save.onSubmit(e);
          }}
          noValidate
        >
          {!owner && <p className="notice">{t('alerts.settingsOwnersOnly')}</p>}
          <Field type="checkbox" label={t('alerts.publicPage')} checked={form.publicPage} disabled={!owner} onChange={(e) => setForm({ ...form, publicPage: e.target.checked })} error={save.fieldError('/publicPage')} />
          <Field type="checkbox" label={t('alerts.apnsCritical')} checked={form.apnsCriticalAlerts} disabled={!owner} onChange={(e) => setForm({ ...form, apnsCriticalAlerts: e.target.checked })} error={save.fieldError('/apnsCriticalAlerts')} />
          <fieldset>
            <legend>{t('alerts.categoryMap')}</legend>
            <p className="hint">{t('alerts.categoryMapHint')}</p>
            <div className="row">
              {CAP_CATEGORIES.map((c) => (
                <Field
                  key={c}
                  label={c}
                  value={form.categories[c] ?? ''}
                  placeholder="civic"
                  disabled={!owner}
                  onChange={(e) => setForm({ ...form, categories: { ...form.categories, [c]: e.target.value } })}
                  error={save.fieldError(`/categories/${c}`)}
                />
              ))}
            </div>
          </fieldset>
          <ProblemMessage problem={save.formError(...pointers)} />
          {owner && (
            <button type="submit" disabled={save.busy}>
              {t('common.save')}
            </button>
          )}
          {saved && (
            <p className="ok" role="status">
              {t('common.saved')}
            </p>
          )}
        </form>
      )}
    </Section>
  );
}
