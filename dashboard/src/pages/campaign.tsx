import { useState } from 'react';
import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { buttonTitles, ClicksByButton, FunnelFigures, HourlyChart, hourlyRange } from './campaign-results.tsx';
import { CampaignWaves, useCampaignFailed } from './campaign-waves.tsx';
import { REASONS, type CampaignStatus, type CampaignWithCounts, type Reason } from './campaign-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { Pager, statusKey } from './campaigns.tsx';

/** Which actions each status allows (docs/campaigns.md#lifecycle). */
const ACTIONS: { verb: 'pause' | 'resume' | 'cancel'; when: CampaignStatus[] }[] = [
  { verb: 'pause', when: ['planning', 'scheduled', 'running'] },
  { verb: 'resume', when: ['paused'] },
  { verb: 'cancel', when: ['planning', 'scheduled', 'running', 'paused'] },
];

/** One campaign: status and actions, its funnel, its variants and A/B decision, hour by hour, and who was left out. */
export function CampaignPage({ appId, campaignId }: { appId: string; campaignId: string }) {
  const { t, date, number } = useI18n();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const campaign = useLoad((signal) => call('getCampaign', { params: { appId, id: campaignId }, signal }), [appId, campaignId]);
  const [reloads, setReloads] = useState(0);
  const failed = useCampaignFailed(appId, campaignId, reloads);
  const start = campaign.data ? (campaign.data.launchedAt ?? campaign.data.createdAt) : undefined;
  const end = campaign.data?.finishedAt ?? null;
  const analytics = useLoad(
    async (signal) => (start ? call('getCampaignAnalytics', { params: { appId, id: campaignId }, query: hourlyRange(start, end), signal }) : undefined),
    [appId, campaignId, start, end],
  );
  if (campaign.problem) return <div className="page"><ProblemMessage problem={campaign.problem} /></div>;
  if (!campaign.data) return <div className="page"><Loading /></div>;
  const c = campaign.data;
  return (
    <div className="page">
      <AppNav appId={appId} />
      <div className="page-head">
        <h1>{c.name}</h1>
        <span className={`status status-${c.status}`} data-testid="campaign-status">
          {t(statusKey(c.status))}
        </span>
      </div>
      <dl className="facts">
        <dt>{t('campaign.id')}</dt>
        <dd><code>{c.id}</code></dd>
        <dt>{t('common.created')}</dt>
        <dd>{date(c.createdAt)}</dd>
        <dt>{t('campaigns.launched')}</dt>
        <dd>{c.launchedAt ? date(c.launchedAt) : '–'}</dd>
        {c.finishedAt && (
          <>
            <dt>{t('campaign.finished')}</dt>
            <dd>{date(c.finishedAt)}</dd>
          </>
        )}
        <dt>{t('notifications.failed')}</dt>
        <dd data-testid="campaign-failed">{failed.data === undefined ? '–' : number(failed.data)}</dd>
      </dl>
      {editor && (
        <div className="buttons actions">
          {c.status === 'draft' && (
            <Link className="button" to={`/apps/${encodeURIComponent(appId)}/campaigns/${encodeURIComponent(c.id)}/edit`}>
              {t('campaign.editDraft')}
            </Link>
          )}
          {ACTIONS.filter((a) => a.when.includes(c.status)).map((a) => (
            <ConfirmButton
              key={a.verb}
              label={t(`campaign.${a.verb}` as MessageKey)}
              message={t(`campaign.${a.verb}Confirm` as MessageKey, { name: c.name })}
              action={async () => {
                await call(`${a.verb}Campaign`, { params: { appId, id: campaignId } });
                campaign.reload();
                analytics.reload();
                setReloads((r) => r + 1);
              }}
            />
          ))}
        </div>
      )}
      {analytics.problem && <ProblemMessage problem={analytics.problem} />}
      {analytics.data && <FunnelFigures funnel={analytics.data.funnel} />}
      {analytics.data && <ClicksByButton funnel={analytics.data.funnel} titles={buttonTitles(c.content?.[c.defaultLanguage ?? Object.keys(c.content ?? {})[0] ?? '']?.actions)} />}
      <Variants campaign={c} />
      {analytics.data && <HourlyChart series={analytics.data.analytics} />}
      {!analytics.data && !analytics.problem && start && <Loading />}
      <CampaignWaves appId={appId} campaignId={campaignId} reloads={reloads} />
      <LeftOut appId={appId} campaign={c} />
    </div>
  );
}

function Variants({ campaign }: { campaign: CampaignWithCounts }) {
  const { t, number, locale } = useI18n();
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const variants = campaign.counts.variants;
  const d = campaign.decision;
  if (variants.length === 0 && !d) return null;
  return (
    <Section title={t('campaign.variants')}>
      <ScrollTable label={t('campaign.variants')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('campaign.variant')}</th>
              <th scope="col" className="num">{t('campaign.sent')}</th>
              <th scope="col" className="num">{t('campaign.displayed')}</th>
              <th scope="col" className="num">{t('campaign.clicked')}</th>
              <th scope="col" className="num">{t('campaigns.clickRate')}</th>
            </tr>
          </thead>
          <tbody>
            {variants.map((v) => (
              <tr key={v.id ?? ''}>
                <th scope="row">{v.id ?? t('campaign.ownContent')}</th>
                <td className="num">{number(v.sent)}</td>
                <td className="num">{number(v.displayed)}</td>
                <td className="num">{number(v.clicked)}</td>
                <td className="num">{v.clickRate === null ? '–' : percent.format(v.clickRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
      {d ? (
        <div className="decision">
          <h3>{t('campaign.decision')}</h3>
          <p>
            <strong>{t(`campaign.decision.${d.decision}` as MessageKey, { variant: d.variant ?? '' })}</strong> ({d.reason}) · {t('campaign.pValue', { p: d.pValue === null ? '–' : number(d.pValue), alpha: number(d.alpha) })}
          </p>
          <p className="hint">{d.detail}</p>
        </div>
      ) : (
        <p className="hint">{t('campaign.noDecision')}</p>
      )}
    </Section>
  );
}

/** Recipients the campaign matched but did not send to, by reason, each reason's list paged. */
function LeftOut({ appId, campaign }: { appId: string; campaign: CampaignWithCounts }) {
  const { t, number, date } = useI18n();
  const reasons = REASONS.filter((r) => r !== 'sent');
  const [reason, setReason] = useState<Reason>(reasons.find((r) => campaign.counts.recipients[r] > 0) ?? 'capped');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    (signal) => call('listCampaignRecipients', { params: { appId, id: campaign.id }, query: { reason, limit: '25', ...(cursor ? { cursor } : {}) }, signal }),
    [appId, campaign.id, reason, cursor],
  );
  return (
    <Section title={t('campaign.leftOut')}>
      <div className="field">
        <label htmlFor="left-out-reason">{t('campaign.reason')}</label>
        <select
          id="left-out-reason"
          value={reason}
          onChange={(e) => {
            setReason(e.target.value as Reason);
            setCursors([undefined]);
          }}
        >
          {reasons.map((r) => (
            <option key={r} value={r}>
              {t(`reason.${r}` as MessageKey)} ({number(campaign.counts.recipients[r] ?? 0)})
            </option>
          ))}
        </select>
      </div>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.data.length === 0 && <p>{t('campaign.noneLeftOut')}</p>}
      {list.data && list.data.data.length > 0 && (
        <ScrollTable label={t('campaign.leftOut')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('campaign.user')}</th>
                <th scope="col">{t('campaign.subscription')}</th>
                <th scope="col">{t('campaign.detail')}</th>
                <th scope="col">{t('campaign.variant')}</th>
                <th scope="col">{t('campaign.when')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((r) => (
                <tr key={`${r.notificationId}-${r.subscriptionId ?? ''}-${r.at}`}>
                  <td>{r.userId ?? '–'}</td>
                  <td><code>{r.subscriptionId ?? '–'}</code></td>
                  <td>{r.detail ?? '–'}</td>
                  <td>{r.variant ?? '–'}</td>
                  <td>{date(r.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
    </Section>
  );
}
