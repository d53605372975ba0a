import { useMemo } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { TimeChart } from '../ui/chart.tsx';
import { Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import type { AnalyticsSeries, Funnel } from './campaign-types.ts';

const STEPS = ['targeted', 'sent', 'delivered', 'displayed', 'clicked', 'converted'] as const;
export const HOURLY_METRICS = ['delivered', 'displayed', 'clicked', 'converted'] as const;
/** The API's limit of buckets a series may have (docs/analytics.md#querying); hours, then. */
const MAX_HOURS = 2000;
const MIN_HOURS = 12;

/**
 * The query of a campaign's or a notification's hour-by-hour chart, in the operator's zone:
 * from its start (the hour it began) to the hour after now or its end, at least 12 hours
 * and at most the API's 2,000 buckets.
 */
export function hourlyRange(start: string, end: string | null, now = Date.now()): Record<string, string> {
  const hour = 3_600_000;
  const to = Math.min(end ? Date.parse(end) + hour : now + hour, now + hour);
  // At least half a day, so that a campaign of the last hour still reads as a curve over time.
  const from = Math.max(Math.min(Math.floor(Date.parse(start) / hour) * hour, to - MIN_HOURS * hour), to - (MAX_HOURS - 1) * hour);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: 'hour', metrics: HOURLY_METRICS.join(','), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
}

/** A campaign's or a notification's funnel, over its whole life, each step with its share of the one before. */
export function FunnelFigures({ funnel }: { funnel: Funnel }) {
  const { t, number, locale } = useI18n();
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <Section title={t('campaign.funnel')}>
      <dl className="figures funnel">
        {STEPS.map((step, i) => {
          const before = i > 0 ? funnel[STEPS[i - 1]!] : 0;
          return (
            <div key={step} data-step={step}>
              <dt>{t(`campaign.${step}` as MessageKey)}</dt>
              <dd className="figure">{number(funnel[step])}</dd>
              {i > 0 && <dd className="hint share">{before > 0 ? t('campaign.ofBefore', { share: percent.format(funnel[step] / before) }) : '–'}</dd>}
            </div>
          );
        })}
      </dl>
      <p className="hint">{t('campaign.conversions', { direct: number(funnel.convertedDirect), influenced: number(funnel.convertedInfluenced), revenue: number(funnel.revenue) })}</p>
    </Section>
  );
}

/** The hour-by-hour chart of delivered, displayed, clicked and converted. */
export function HourlyChart({ series }: { series: AnalyticsSeries }) {
  const { t } = useI18n();
  const points = series.series[0]?.points ?? [];
  const times = useMemo(() => points.map((p) => Date.parse(p.start) / 1000), [series]);
  const lines = useMemo(() => HOURLY_METRICS.map((m) => ({ label: t(`campaign.${m}`), values: points.map((p) => p.values[m] ?? 0) })), [series, t]);
  return (
    <Section title={t('campaign.hourly')}>
      <TimeChart caption={t('campaign.hourlyCaption', { zone: series.timezone })} times={times} lines={lines} interval="hour" timezone={series.timezone} />
    </Section>
  );
}

/** An action's title by its `action` id, from a version's buttons. */
export function buttonTitles(actions: { action: string; title: string }[] | undefined): Map<string, string> {
  return new Map((actions ?? []).map((a) => [a.action, a.title]));
}

/**
 * Who chose each action button (the funnel's `clickedByAction`, each recipient once per
 * button), beside the unique clicks (each recipient once, whatever they clicked).
 */
export function ClicksByButton({ funnel, titles }: { funnel: Funnel; titles: Map<string, string> }) {
  const { t, number, locale } = useI18n();
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const buttons = Object.entries(funnel.clickedByAction ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <Section title={t('campaign.buttons')}>
      <p className="hint" data-testid="unique-clicks">
        {t('campaign.uniqueClicks', { n: number(funnel.clicked) })}
      </p>
      {buttons.length === 0 ? (
        <p>{t('campaign.noButtonClicks')}</p>
      ) : (
        <ScrollTable label={t('campaign.buttons')}>
          <table data-testid="button-clicks">
            <thead>
              <tr>
                <th scope="col">{t('campaign.button')}</th>
                <th scope="col" className="num">{t('campaign.buttonClicks')}</th>
                <th scope="col" className="num">{t('campaign.ofClicked')}</th>
              </tr>
            </thead>
            <tbody>
              {buttons.map(([action, n]) => (
                <tr key={action}>
                  <th scope="row">
                    {titles.get(action) ?? action} <code>{action}</code>
                  </th>
                  <td className="num">{number(n)}</td>
                  <td className="num">{funnel.clicked > 0 ? percent.format(n / funnel.clicked) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </Section>
  );
}
