import { useId, useState, type ReactNode } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, ProblemMessage, Section, TextAreaField, useSubmit } from '../ui/form.tsx';

const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
const CATEGORIES = ['Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Met', 'Geo', 'Other'];
const STATUSES = ['Actual', 'Exercise', 'Test'];

/** Where each field of the form lands in the JSON alert (docs/civic-alerts.md#the-json-form). */
const INFO = '/infos/0';
const AREA = `${INFO}/areas/0`;

/** A CAP dateTime of a local `datetime-local` value, with the browser's offset (CAP §3.3.2 wants one). */
export function capTime(local: string): string {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return local;
  const offset = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const sign = offset >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** `48.85,2.34 48.86,2.35 ...` as points; a pair that is not two numbers stays for the API to refuse. */
export function polygonPoints(text: string): { lat: number; lon: number }[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [lat, lon] = pair.split(',').map((n) => Number(n));
      return { lat: lat as number, lon: lon as number };
    });
}

function Choice({ label, value, options, labels, onChange, error }: { label: string; value: string; options: string[]; labels?: Record<string, string>; onChange(v: string): void; error?: string | undefined }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map((o) => (
          <option key={o} value={o}>
            {labels?.[o] ?? o}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function TextArea({ onChange, ...props }: { label: string; value: string; onChange(v: string): void; error?: string | undefined; hint?: string }): ReactNode {
  return <TextAreaField rows={3} {...props} onChange={(e) => onChange(e.currentTarget.value)} />;
}

/** The form as it opens, and again after an alert is posted. */
const BLANK = {
  event: '',
  headline: '',
  description: '',
  instruction: '',
  category: 'Safety',
  severity: 'Severe',
  urgency: 'Immediate',
  certainty: 'Observed',
  status: 'Actual',
  language: 'en',
  expires: '',
  areaDesc: '',
  shape: 'circle' as 'circle' | 'polygon',
  lat: '',
  lon: '',
  radiusKm: '',
  polygon: '',
  unlocated: false,
};

/**
 * The operator's composer: one alert with one info and one area (a circle or a polygon),
 * posted as the JSON form of CAP. Identifier, sender (the operator) and sent (now) are
 * filled in; the API's refusal shows at the field its pointer names, under it.
 */
export function AlertComposer({ appId, sender, onPosted }: { appId: string; sender: string; onPosted(): void }) {
  const { t } = useI18n();
  const [f, setF] = useState(BLANK);
  const set = (key: keyof typeof f) => (value: string | boolean) => setF({ ...f, [key]: value });
  const post = useSubmit(() => {
    const area =
      f.shape === 'circle'
        ? { areaDesc: f.areaDesc, circles: [{ lat: Number(f.lat), lon: Number(f.lon), radiusKm: Number(f.radiusKm) }] }
        : { areaDesc: f.areaDesc, polygons: [polygonPoints(f.polygon)] };
    const optional = (key: 'headline' | 'description' | 'instruction') => (f[key].trim() ? { [key]: f[key].trim() } : {});
    const body = {
      identifier: `${appId}-${Date.now().toString(36)}`,
      sender,
      sent: capTime(new Date().toISOString()),
      status: f.status,
      msgType: 'Alert',
      scope: 'Public',
      infos: [
        {
          language: f.language,
          categories: [f.category],
          event: f.event,
          urgency: f.urgency,
          severity: f.severity,
          certainty: f.certainty,
          ...(f.expires ? { expires: capTime(f.expires) } : {}),
          ...optional('headline'),
          ...optional('description'),
          ...optional('instruction'),
          areas: [area],
        },
      ],
    };
    return call('receiveAlert', { params: { appId }, body, ...(f.unlocated ? { query: { reach: 'area_and_unlocated' } } : {}) });
  }, () => {
    setF(BLANK);
    onPosted();
  });
  // A refusal names a member or one inside it (`/infos/0/areas/0/circles/0/lat`): the field it belongs to shows it.
  const error = (pointer: string) => {
    for (const [p, detail] of post.problem?.fields ?? []) if (p === pointer || p.startsWith(`${pointer}/`)) return detail;
    return undefined;
  };
  const shapePointer = f.shape === 'circle' ? `${AREA}/circles` : `${AREA}/polygons`;
  const shown = [`${INFO}/event`, `${INFO}/headline`, `${INFO}/description`, `${INFO}/instruction`, `${INFO}/categories`, `${INFO}/severity`, `${INFO}/urgency`, `${INFO}/certainty`, `${INFO}/language`, `${INFO}/expires`, `${AREA}/areaDesc`, shapePointer, '/status'];
  const formProblem = post.problem && ![...post.problem.fields.keys()].some((p) => shown.some((s) => p === s || p.startsWith(`${s}/`))) ? post.problem : undefined;
  return (
    <Section title={t('alerts.compose')}>
      <form onSubmit={(e) => void post.onSubmit(e)} noValidate>
        <Field label={t('alerts.event')} value={f.event} onChange={(e) => set('event')(e.target.value)} error={error(`${INFO}/event`)} hint={t('alerts.eventHint')} />
        <Field label={t('alerts.headline')} value={f.headline} onChange={(e) => set('headline')(e.target.value)} error={error(`${INFO}/headline`)} />
        <TextArea label={t('alerts.description')} value={f.description} onChange={set('description')} error={error(`${INFO}/description`)} />
        <TextArea label={t('alerts.instruction')} value={f.instruction} onChange={set('instruction')} error={error(`${INFO}/instruction`)} hint={t('alerts.instructionHint')} />
        <div className="row">
          <Choice label={t('alerts.category')} value={f.category} options={CATEGORIES} onChange={set('category')} error={error(`${INFO}/categories`)} />
          <Choice label={t('alerts.severity')} value={f.severity} options={SEVERITIES} onChange={set('severity')} error={error(`${INFO}/severity`)} />
          <Choice label={t('alerts.urgency')} value={f.urgency} options={URGENCIES} onChange={set('urgency')} error={error(`${INFO}/urgency`)} />
          <Choice label={t('alerts.certainty')} value={f.certainty} options={CERTAINTIES} onChange={set('certainty')} error={error(`${INFO}/certainty`)} />
          <Choice label={t('alerts.status')} value={f.status} options={STATUSES} onChange={set('status')} error={error('/status')} />
        </div>
        <div className="row">
          <Field label={t('alerts.language')} value={f.language} onChange={(e) => set('language')(e.target.value)} error={error(`${INFO}/language`)} hint={t('alerts.languageHint')} />
          <Field label={t('alerts.expires')} type="datetime-local" value={f.expires} onChange={(e) => set('expires')(e.target.value)} error={error(`${INFO}/expires`)} />
        </div>
        <fieldset>
          <legend>{t('alerts.area')}</legend>
          <Field label={t('alerts.areaDesc')} value={f.areaDesc} onChange={(e) => set('areaDesc')(e.target.value)} error={error(`${AREA}/areaDesc`)} />
          <Choice label={t('alerts.shape')} value={f.shape} options={['circle', 'polygon']} labels={{ circle: t('alerts.circle'), polygon: t('alerts.polygon') }} onChange={set('shape')} />
          {f.shape === 'circle' ? (
            <div className="row">
              <Field label={t('alerts.lat')} inputMode="decimal" value={f.lat} onChange={(e) => set('lat')(e.target.value)} error={error(`${AREA}/circles/0/lat`)} />
              <Field label={t('alerts.lon')} inputMode="decimal" value={f.lon} onChange={(e) => set('lon')(e.target.value)} error={error(`${AREA}/circles/0/lon`)} />
              <Field label={t('alerts.radiusKm')} inputMode="decimal" value={f.radiusKm} onChange={(e) => set('radiusKm')(e.target.value)} error={error(`${AREA}/circles/0/radiusKm`) ?? (error(`${AREA}/circles`) && !error(`${AREA}/circles/0/lat`) && !error(`${AREA}/circles/0/lon`) ? error(`${AREA}/circles`) : undefined)} />
            </div>
          ) : (
            <TextArea label={t('alerts.polygonPoints')} value={f.polygon} onChange={set('polygon')} error={error(`${AREA}/polygons`)} hint={t('alerts.polygonHint')} />
          )}
          <Field type="checkbox" label={t('alerts.unlocated')} checked={f.unlocated} onChange={(e) => set('unlocated')(e.target.checked)} />
        </fieldset>
        <ProblemMessage problem={formProblem} />
        <button type="submit" disabled={post.busy}>
          {t('alerts.post')}
        </button>
      </form>
    </Section>
  );
}
