import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/** The opt-in steps in funnel order (src/analytics/event-types.ts OPT_IN_EVENTS). */
const STEPS = ['prompt_shown', 'softask_accepted', 'permission_granted', 'subscribed'] as const;

/** The opt-in funnel over the range: prompts shown, accepted, granted, subscribed, and the opt-in rate. */
export function OptInFunnel({ appId, from, to }: { appId: string; from: string; to: string }) {
  const { t, number, locale } = useI18n();
  const stats = useLoad((signal) => call('getOptInStats', { params: { appId }, query: { from, to }, signal }), [appId, from, to]);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <Section title={t('analytics.optIn')}>
      {stats.problem && <ProblemMessage problem={stats.problem} />}
      {!stats.data && !stats.problem && <Loading />}
      {stats.data && (
        <>
          <dl className="figures">
            {STEPS.map((s) => (
              <div key={s}>
                <dt>{t(`metric.${s}` as MessageKey)}</dt>
                <dd>{number(stats.data!.counts[s] ?? 0)}</dd>
              </div>
            ))}
            <div>
              <dt>{t('metric.opt_in_rate')}</dt>
              <dd>{stats.data.optInRate === null ? '–' : percent.format(stats.data.optInRate)}</dd>
            </div>
          </dl>
          <p className="hint">{t('analytics.optInNote', { denied: number(stats.data.counts.permission_denied ?? 0), dismissed: number(stats.data.counts.softask_dismissed ?? 0) })}</p>
        </>
      )}
    </Section>
  );
}
