import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { StepStats } from './journey-types.ts';

/**
 * A journey's steps drawn as a flow, from its definition alone (docs/journeys.md#steps):
 * each step a card in an ordered list, the lists a step holds (waitFor's matched and timed
 * out, branch's then and else, split's paths) side by side below it, joining again after
 * it as the run does. Each card carries the JSON pointer the runs and the stats name it by
 * (`/steps/2/waitFor/matched/0`), and that step's counts when they are given.
 */
export function JourneyFlow({ steps, counts }: { steps: unknown[]; counts?: Map<string, StepStats> | undefined }) {
  const { t } = useI18n();
  return (
    <div className="journey-flow">
      <StepList steps={steps} base="/steps" counts={counts} label={t('journey.flow')} />
      <p className="flow-end">{t('journey.flowEnd')}</p>
    </div>
  );
}

type Step = Record<string, Record<string, unknown>>;

function StepList({ steps, base, counts, label }: { steps: unknown[]; base: string; counts: Map<string, StepStats> | undefined; label: string }) {
  const { t } = useI18n();
  if (steps.length === 0) return <p className="flow-empty">{t('journey.flowEmptyList')}</p>;
  return (
    <ol className="flow-list" aria-label={label}>
      {steps.map((step, i) => (
        <StepCard key={i} step={step as Step} pointer={`${base}/${i}`} counts={counts} />
      ))}
    </ol>
  );
}

const KINDS = ['wait', 'waitFor', 'branch', 'split', 'send', 'update', 'webhook'] as const;
type Kind = (typeof KINDS)[number];

function StepCard({ step, pointer, counts }: { step: Step; pointer: string; counts: Map<string, StepStats> | undefined }) {
  const { t } = useI18n();
  const kind = KINDS.find((k) => step && typeof step === 'object' && k in step);
  const body = kind ? (step[kind] ?? {}) : {};
  const stats = counts?.get(pointer);
  return (
    <li className={`flow-step flow-${kind ?? 'unknown'}`} data-step={pointer}>
      <div className="flow-card">
        <p className="flow-kind">
          <strong>{kind ? t(`journey.kind.${kind}` as MessageKey) : t('journey.kind.unknown')}</strong> <code className="flow-pointer">{pointer}</code>
        </p>
        <p className="flow-summary">{kind ? <Summary kind={kind} body={body} /> : <code>{JSON.stringify(step)}</code>}</p>
        {stats && <StepCounts stats={stats} />}
      </div>
      {kind && <Paths kind={kind} body={body} pointer={pointer} counts={counts} />}
    </li>
  );
}

/** What a step does, in a line. */
function Summary({ kind, body }: { kind: Kind; body: Record<string, unknown> }): ReactNode {
  const { t } = useI18n();
  const s = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  switch (kind) {
    case 'wait':
      if (body.duration !== undefined) return t('journey.wait.duration', { duration: s(body.duration) });
      if (body.until !== undefined) return t(body.localTime === false ? 'journey.wait.untilUtc' : 'journey.wait.untilLocal', { time: s(body.until) });
      if (body.untilEventTime !== undefined) return t('journey.wait.eventTime', { before: s(body.before ?? '0m'), property: s(body.untilEventTime) });
      return <code>{JSON.stringify(body)}</code>;
    case 'waitFor':
      return t('journey.waitFor', { event: s(body.event), within: s(body.within) });
    case 'branch':
      return (
        <>
          {t('journey.branchIf')} <code className="wrap">{JSON.stringify(body.filter)}</code>
        </>
      );
    case 'split':
      return t('journey.split', { count: Array.isArray(body.paths) ? body.paths.length : 0 });
    case 'send':
      return <SendSummary body={body} />;
    case 'update': {
      const attributes = body.attributes && typeof body.attributes === 'object' ? Object.keys(body.attributes) : [];
      return t('journey.update', { attributes: attributes.join(', ') });
    }
    case 'webhook':
      return t('journey.webhook', { url: s(body.url) });
  }
}

/** A send step's title in its default language (else its first), as written: Liquid is rendered per user. */
function SendSummary({ body }: { body: Record<string, unknown> }) {
  const { t } = useI18n();
  const content = (body.content && typeof body.content === 'object' ? body.content : {}) as Record<string, { title?: unknown }>;
  const languages = Object.keys(content);
  const language = typeof body.defaultLanguage === 'string' && body.defaultLanguage in content ? body.defaultLanguage : languages[0];
  const title = language ? content[language]?.title : undefined;
  return (
    <>
      {t('journey.sendTitle')} <q className="flow-title">{typeof title === 'string' ? title : '–'}</q>
      {languages.length > 1 && <span className="muted"> ({languages.join(', ')})</span>}
      {typeof body.category === 'string' && <span className="muted"> · {body.category}</span>}
    </>
  );
}

/** The lists a step holds, side by side, each under its name. */
function Paths({ kind, body, pointer, counts }: { kind: Kind; body: Record<string, unknown>; pointer: string; counts: Map<string, StepStats> | undefined }) {
  const { t, locale } = useI18n();
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  let paths: { label: string; steps: unknown[]; base: string }[] = [];
  if (kind === 'waitFor') {
    paths = [
      { label: t('journey.matched', { event: String(body.event ?? '') }), steps: list(body.matched), base: `${pointer}/waitFor/matched` },
      { label: t('journey.timedOut'), steps: list(body.timedOut), base: `${pointer}/waitFor/timedOut` },
    ];
  } else if (kind === 'branch') {
    paths = [
      { label: t('journey.then'), steps: list(body.then), base: `${pointer}/branch/then` },
      { label: t('journey.else'), steps: list(body.else), base: `${pointer}/branch/else` },
    ];
  } else if (kind === 'split') {
    const all = list(body.paths) as { weight?: unknown; steps?: unknown }[];
    const total = all.reduce((sum, p) => sum + (typeof p.weight === 'number' ? p.weight : 0), 0);
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    paths = all.map((p, i) => {
      const weight = typeof p.weight === 'number' ? p.weight : 0;
      return { label: t('journey.path', { n: i + 1, weight, share: total > 0 ? percent.format(weight / total) : '–' }), steps: list(p.steps), base: `${pointer}/split/paths/${i}/steps` };
    });
  }
  if (paths.length === 0) return null;
  return (
    <div className="flow-paths">
      {paths.map((p) => (
        <div className="flow-path" key={p.base}>
          <p className="flow-path-label">{p.label}</p>
          <StepList steps={p.steps} base={p.base} counts={counts} label={p.label} />
        </div>
      ))}
    </div>
  );
}

/** A step's counts: entered, waiting now, sent and skipped (sends), and the runs that ended on it by reason. */
function StepCounts({ stats }: { stats: StepStats }) {
  const { t, number } = useI18n();
  const figures: [string, number][] = [
    [t('journey.count.entered'), stats.entered],
    [t('journey.count.waiting'), stats.waiting],
  ];
  if (stats.kind === 'send') figures.push([t('journey.count.sent'), stats.sent], [t('journey.count.skipped'), stats.skipped]);
  const exited = Object.entries(stats.exited);
  return (
    <dl className="flow-counts">
      {figures.map(([label, n]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{number(n)}</dd>
        </div>
      ))}
      {exited.map(([reason, n]) => (
        <div key={reason}>
          <dt>{t('journey.count.exited', { reason })}</dt>
          <dd>{number(n)}</dd>
        </div>
      ))}
    </dl>
  );
}
