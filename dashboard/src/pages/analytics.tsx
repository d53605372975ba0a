import { useMemo, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { OPERATIONS } from '../api/operations.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { TimeChart } from '../ui/chart.tsx';
import { Field, Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { OptInFunnel } from './analytics-opt-in.tsx';

/** The metrics offered (docs/analytics.md#metrics), the first ones checked at first. */
export const METRICS = ['sent', 'delivered', 'displayed', 'clicked', 'converted', 'failed', 'click_rate', 'conversion_rate', 'revenue', 'opted_in', 'opted_out'] as const;
const CHECKED = ['delivered', 'displayed', 'clicked', 'click_rate'];
const GROUPS = ['', 'campaign', 'category', 'channel'] as const;
const RATES = new Set(['click_rate', 'conversion_rate']);
const DAY = 86_400_000;

/** YYYY-MM-DD of a date input, in the operator's zone. */
function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The query of a range of days picked in the operator's zone: from the first day's local
 * midnight to the midnight after the last (`to` is exclusive), in that zone.
 */
export function rangeQuery(fromDay: string, toDay: string, interval: string, groupBy: string, metrics: string[]): Record<string, string> {
  const from = new Date(`${fromDay}T00:00:00`);
  const to = new Date(`${toDay}T00:00:00`);
  to.setDate(to.getDate() + 1);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    interval,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    ...(groupBy ? { groupBy } : {}),
    ...(metrics.length > 0 ? { metrics: metrics.join(',') } : {}),
  };
}

/** The same query as CSV (Accept: text/csv), saved as a file. */
async function downloadCsv(appId: string, query: Record<string, string>): Promise<void> {
  const path = OPERATIONS.getAnalytics[1].replace('{appId}', encodeURIComponent(appId));
  const res = await fetch(`${path}?${new URLSearchParams(query).toString()}`, { headers: { accept: 'text/csv, application/problem+json' }, credentials: 'same-origin' });
  if (!res.ok) throw new ApiProblem(res.status, (await res.json().catch(() => ({}))) as Record<string, unknown>);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `analytics-${appId}-${query.from!.slice(0, 10)}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** An app's counts and rates over a range of days, overall or by campaign, category or channel; the opt-in funnel; CSV. */
export function AnalyticsPage({ appId }: { appId: string }) {
  const { t, number, locale } = useI18n();
  const [fromDay, setFromDay] = useState(() => dayOf(Date.now() - 6 * DAY));
  const [toDay, setToDay] = useState(() => dayOf(Date.now()));
  const [interval, setInterval] = useState('day');
  const [groupBy, setGroupBy] = useState('');
  const [metrics, setMetrics] = useState<string[]>(CHECKED);
  const [chartMetric, setChartMetric] = useState('delivered');
  const [csvProblem, setCsvProblem] = useState<ApiProblem | undefined>();
  const query = useMemo(() => rangeQuery(fromDay, toDay, interval, groupBy, metrics), [fromDay, toDay, interval, groupBy, metrics]);
  const series = useLoad((signal) => call('getAnalytics', { params: { appId }, query, signal }), [appId, query]);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const shown = metrics.includes(chartMetric) ? chartMetric : (metrics[0] ?? 'delivered');
  const format = (m: string, v: number | null | undefined) => (v === null || v === undefined ? '–' : RATES.has(m) ? percent.format(v) : number(v));
  const data = series.data;
  const chart = useMemo(() => {
    if (!data) return undefined;
    const times = (data.series[0]?.points ?? []).map((p) => Date.parse(p.start) / 1000);
    const lines = data.series.map((s) => ({ label: s.group === null ? t(`metric.${shown}` as MessageKey) : s.group || t('analytics.noGroup'), values: s.points.map((p) => p.values[shown] ?? null) }));
    return { times, lines };
  }, [data, shown, t]);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('analytics.title')}</h1>
      <Section title={t('analytics.query')}>
        <form className="row" onSubmit={(e) => e.preventDefault()}>
          <Field label={t('analytics.from')} type="date" value={fromDay} max={toDay} onChange={(e) => e.target.value && setFromDay(e.target.value)} error={series.problem?.fields.get('/from')} />
          <Field label={t('analytics.to')} type="date" value={toDay} min={fromDay} onChange={(e) => e.target.value && setToDay(e.target.value)} error={series.problem?.fields.get('/to')} />
          <div className="field">
            <label htmlFor="analytics-interval">{t('analytics.interval')}</label>
            <select id="analytics-interval" value={interval} onChange={(e) => setInterval(e.target.value)}>
              <option value="day">{t('analytics.day')}</option>
              <option value="hour">{t('analytics.hour')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="analytics-group">{t('analytics.groupBy')}</label>
            <select id="analytics-group" value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
              {GROUPS.map((g) => (
                <option key={g} value={g}>
                  {t(`analytics.group.${g || 'none'}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
        </form>
        <fieldset className="caps metrics">
          <legend>{t('analytics.metrics')}</legend>
          {METRICS.map((m) => (
            <Field
              key={m}
              type="checkbox"
              label={t(`metric.${m}` as MessageKey)}
              checked={metrics.includes(m)}
              onChange={(e) => setMetrics(e.target.checked ? METRICS.filter((x) => x === m || metrics.includes(x)) : metrics.filter((x) => x !== m))}
            />
          ))}
        </fieldset>
        <div className="buttons">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setCsvProblem(undefined);
              downloadCsv(appId, query).catch((err: unknown) => setCsvProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) })));
            }}
          >
            {t('analytics.csv')}
          </button>
        </div>
        <ProblemMessage problem={csvProblem} />
      </Section>
      {series.problem && <ProblemMessage problem={series.problem} />}
      {!data && !series.problem && <Loading />}
      {data && chart && (
        <Section title={t('analytics.series')}>
          <div className="field">
            <label htmlFor="analytics-chart-metric">{t('analytics.chartMetric')}</label>
            <select id="analytics-chart-metric" value={shown} onChange={(e) => setChartMetric(e.target.value)}>
              {metrics.map((m) => (
                <option key={m} value={m}>
                  {t(`metric.${m}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <TimeChart caption={t('analytics.chartCaption', { metric: t(`metric.${shown}` as MessageKey), zone: data.timezone })} times={chart.times} lines={chart.lines} interval={data.interval} timezone={data.timezone} />
          <ScrollTable label={t('analytics.totals')}>
            <table className="totals">
              <caption>{t('analytics.totals')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('analytics.groupBy')}</th>
                  {data.metrics.map((m) => (
                    <th key={m} scope="col" className="num">
                      {t(`metric.${m}` as MessageKey)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.series.map((s) => (
                  <tr key={s.group ?? ''}>
                    <th scope="row">{s.group === null ? t('analytics.all') : s.group || t('analytics.noGroup')}</th>
                    {data.metrics.map((m) => (
                      <td key={m} className="num" data-metric={m}>
                        {format(m, s.totals[m])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </Section>
      )}
      <OptInFunnel appId={appId} from={query.from!} to={query.to!} />
    </div>
  );
}
