import { useEffect, useId, useRef, useState } from 'react';
import { ApiProblem } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemMessage } from '../ui/form.tsx';
import type { AudienceSizes } from './compose-audience.tsx';
import { variantText, type Draft } from './compose-model.ts';
import { ESTIMATE_REASONS, type CampaignEstimate } from './compose-estimate.ts';

/**
 * The last step: the draft saved, then asked of `estimateCampaign` each time the dialog
 * opens: how many users will receive it on how many subscriptions by channel, and how many
 * are left out and why (the excluded segment, no subscription, the category turned off,
 * quiet hours, the holdout, a frequency cap, a strict template), decided as the launch would
 * decide them; "estimated from a sample" when the server rendered a sample. Until it answers
 * (or if it refuses), the audience's sizes stand in. Launch saves and launches; Cancel
 * changes nothing more.
 */
export function ConfirmLaunch({ draft, sizes, audienceName, launch, estimate, disabled }: { draft: Draft; sizes: AudienceSizes; audienceName: string; launch: () => Promise<void>; estimate: () => Promise<CampaignEstimate>; disabled: boolean }) {
  const { t, number, date } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [figures, setFigures] = useState<{ estimate?: CampaignEstimate; problem?: ApiProblem; busy: boolean }>({ busy: false });
  useEffect(() => {
    if (open) ref.current?.showModal();
    else ref.current?.close();
    if (!open) return;
    // Asked again at each opening: the draft is saved first, so what is estimated is what Launch sends.
    let live = true;
    setFigures({ busy: true });
    estimate().then(
      (e) => live && setFigures({ estimate: e, busy: false }),
      (err: unknown) => live && setFigures({ problem: err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }), busy: false }),
    );
    return () => {
      live = false;
    };
    // On opening only, not at every keystroke behind the dialog.
  }, [open]);
  const e = figures.estimate;
  const whole = sizes.whole.size;
  const final = sizes.final.size;
  const excluded = draft.audience.exclude && whole && final ? whole.users - final.users : 0;
  const holdout = Number(draft.holdout) > 0 && final ? Math.round(final.users * Number(draft.holdout)) : 0;
  const go = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await launch();
      setOpen(false);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => setOpen(true)}>
        {t('compose.review')}
      </button>
      <dialog ref={ref} aria-labelledby={titleId} onClose={() => setOpen(false)} className="compose-confirm">
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void go();
          }}
        >
          <h2 id={titleId}>{t('compose.confirm.title', { name: draft.name })}</h2>
          <dl className="facts">
            <div className="fact">
              <dt>{t('compose.confirm.audience')}</dt>
              <dd>{audienceName}</dd>
            </div>
            <div className="fact">
              <dt>{t('compose.confirm.receive')}</dt>
              <dd data-testid="confirm-receive" aria-busy={figures.busy || undefined}>
                {e ? (
                  <>
                    {t('compose.confirm.receiveCount', { users: number(e.willSend), subscriptions: number(Object.values(e.subscriptions).reduce((a, b) => a + b, 0)) })}
                    <Channels byChannel={e.subscriptions} />
                  </>
                ) : final ? (
                  <>
                    {t('compose.confirm.receiveCount', { users: number(Math.max(0, final.users - holdout)), subscriptions: number(final.subscriptions) })}
                    <Channels byChannel={final.byChannel} />
                  </>
                ) : (
                  t('segment.sizeInvalid')
                )}
              </dd>
            </div>
            <div className="fact">
              <dt>{t('compose.confirm.when')}</dt>
              <dd>{t(`compose.schedule.${draft.schedule.kind}` as MessageKey)}</dd>
            </div>
          </dl>
          {draft.variants.length > 0 && <ConfirmVariants draft={draft} />}
          <h3>{t('compose.confirm.leftOut')}</h3>
          {figures.busy && <p role="status">{t('compose.estimate.busy')}</p>}
          {e ? (
            <>
              <ul data-testid="confirm-left-out">
                {ESTIMATE_REASONS.filter((r) => e.leftOut[r] > 0).map((r) => (
                  <li key={r} data-reason={r}>
                    {t(`compose.estimate.reason.${r}` as MessageKey, { n: number(e.leftOut[r]) })}
                  </li>
                ))}
                {ESTIMATE_REASONS.every((r) => e.leftOut[r] === 0) && <li>{t('compose.confirm.noneBefore')}</li>}
              </ul>
              {!e.exact && (
                <p className="hint" data-testid="confirm-sample">
                  {t('compose.estimate.sample', { n: number(e.sample ?? 0) })}
                </p>
              )}
              <p className="hint">{t('compose.estimate.at', { at: date(e.at) })}</p>
            </>
          ) : (
            <>
              <ul data-testid="confirm-left-out">
                {draft.audience.exclude && <li>{t('compose.confirm.excluded', { n: number(excluded) })}</li>}
                {holdout > 0 && <li>{t('compose.confirm.holdout', { n: number(holdout), share: String(Number(draft.holdout) * 100) })}</li>}
                {!draft.audience.exclude && holdout === 0 && <li>{t('compose.confirm.noneBefore')}</li>}
              </ul>
              <p className="hint">{t(draft.ignoreCaps ? 'compose.confirm.atSendNoCaps' : 'compose.confirm.atSend')}</p>
            </>
          )}
          <ProblemMessage problem={figures.problem} />
          <ProblemMessage problem={problem} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
            <button type="submit" disabled={busy || figures.busy}>
              {t('compose.launch')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** The subscriptions by channel, those with any: `(webpush 1 · apns 2)`. */
function Channels({ byChannel }: { byChannel: Record<string, number> }) {
  const { number } = useI18n();
  const shown = Object.entries(byChannel).filter(([, n]) => n > 0);
  if (shown.length === 0) return null;
  return <span className="muted"> ({shown.map(([c, n]) => `${c} ${number(n)}`).join(' · ')})</span>;
}

/** Each variant as it will go in every language of the campaign: its own title and body, or the version's. */
function ConfirmVariants({ draft }: { draft: Draft }) {
  const { t } = useI18n();
  return (
    <>
      <h3>{t('compose.confirm.variants')}</h3>
      <ul data-testid="confirm-variants">
        {draft.variants.map((v, i) => (
          <li key={i}>
            {t('compose.confirm.variant', { id: v.id, weight: v.weight })}
            <ul>
              {draft.languages.map((l) => {
                const own = variantText(v, l);
                const version = draft.versions[l];
                const title = own.title || version?.title || '';
                const body = own.body || version?.body || '';
                return (
                  <li key={l} data-language={l}>
                    <span className="muted">{l}</span> <span lang={l}>{title}</span>
                    {body && (
                      <>
                        {' · '}
                        <span lang={l}>{body}</span>
                      </>
                    )}
                    {!own.title && !own.body && <span className="muted"> ({t('compose.confirm.asWritten')})</span>}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </>
  );
}
