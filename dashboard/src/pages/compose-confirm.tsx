import { useEffect, useId, useRef, useState } from 'react';
import { ApiProblem } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemMessage } from '../ui/form.tsx';
import type { AudienceSizes } from './compose-audience.tsx';
import { variantText, type Draft } from './compose-model.ts';

/**
 * The last step: who will receive the campaign (the audience's size now, by channel), who
 * is left out before it goes and why (the excluded segment, the expected holdout), what is
 * decided per recipient when it goes (categories turned off, caps, strict templates:
 * counted then, and listed on the campaign's page), and when. Launch saves and launches;
 * Cancel changes nothing.
 */
export function ConfirmLaunch({ draft, sizes, audienceName, launch, disabled }: { draft: Draft; sizes: AudienceSizes; audienceName: string; launch: () => Promise<void>; disabled: boolean }) {
  const { t, number } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  useEffect(() => {
    if (open) ref.current?.showModal();
    else ref.current?.close();
  }, [open]);
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
              <dd data-testid="confirm-receive">
                {final ? t('compose.confirm.receiveCount', { users: number(Math.max(0, final.users - holdout)), subscriptions: number(final.subscriptions) }) : t('segment.sizeInvalid')}
                {final && (
                  <span className="muted">
                    {' '}
                    (
                    {Object.entries(final.byChannel)
                      .filter(([, n]) => n > 0)
                      .map(([c, n]) => `${c} ${number(n)}`)
                      .join(' · ')}
                    )
                  </span>
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
          <ul data-testid="confirm-left-out">
            {draft.audience.exclude && <li>{t('compose.confirm.excluded', { n: number(excluded) })}</li>}
            {holdout > 0 && <li>{t('compose.confirm.holdout', { n: number(holdout), share: String(Number(draft.holdout) * 100) })}</li>}
            {!draft.audience.exclude && holdout === 0 && <li>{t('compose.confirm.noneBefore')}</li>}
          </ul>
          <p className="hint">{t(draft.ignoreCaps ? 'compose.confirm.atSendNoCaps' : 'compose.confirm.atSend')}</p>
          <ProblemMessage problem={problem} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
            <button type="submit" disabled={busy}>
              {t('compose.launch')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
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
