import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiProblem } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemMessage } from './form.tsx';

/**
 * A button for a destructive action: it opens a modal dialog (<dialog>, focus trapped and
 * Escape to cancel by the browser) that says what will happen, and acts only on Confirm.
 * `children` may hold inputs (a password) that the action reads.
 */
export function ConfirmButton({ label, title, message, action, children, confirmLabel }: { label: string; title?: string; message: string; action: () => Promise<unknown>; children?: ReactNode; confirmLabel?: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  useEffect(() => {
    if (open) ref.current?.showModal();
    else ref.current?.close();
  }, [open]);
  const confirm = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
      setOpen(false);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog ref={ref} aria-labelledby={titleId} onClose={() => setOpen(false)}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <h2 id={titleId}>{title ?? label}</h2>
          <p>{message}</p>
          {children}
          <ProblemMessage problem={problem} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="danger" disabled={busy}>
              {confirmLabel ?? t('common.confirm')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
