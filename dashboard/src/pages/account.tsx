import { useEffect, useId, useRef, useState } from 'react';
import { call, setCsrfToken } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { CopyValue, Field, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { QrCode } from '../ui/qr-code.tsx';

/** The operator's own account: password, second factor, sign-out everywhere. */
export function AccountPage() {
  const { t } = useI18n();
  const { session, refresh, signedOut } = useSession();
  return (
    <div className="page">
      <h1>{t('account.title')}</h1>
      <p>{t('account.signedInAs', { email: session.operator.email })}</p>
      <PasswordForm email={session.operator.email} />
      <Section title={t('account.totp')}>{session.operator.totp ? <TotpOn onChange={refresh} /> : <TotpOff onChange={refresh} />}</Section>
      <Section title={t('account.sessions')}>
        <ConfirmButton label={t('account.signOutEverywhere')} message={t('account.signOutEverywhereConfirm')} action={async () => { await call('signOutEverywhere'); signedOut(); }} />
      </Section>
    </div>
  );
}

function PasswordForm({ email }: { email: string }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const save = useSubmit(
    () => call('changePassword', { body: { currentPassword: current, newPassword: next } }),
    (session) => {
      // The server ended every session and opened this one anew: its CSRF token changed.
      setCsrfToken(session.csrfToken);
      setCurrent('');
      setNext('');
      setDone(true);
    },
  );
  return (
    <Section title={t('account.password')}>
      <form onSubmit={(e) => void save.onSubmit(e)} noValidate onChange={() => setDone(false)}>
        {/* The account the new password is for, so that a password manager saves it there (not under an empty name). */}
        <input type="text" name="username" autoComplete="username" hidden readOnly value={email} />
        <Field label={t('account.currentPassword')} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={save.fieldError('/currentPassword')} />
        <Field label={t('account.newPassword')} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} hint={t('password.hint')} error={save.fieldError('/newPassword')} />
        <ProblemMessage problem={save.formError('/currentPassword', '/newPassword')} />
        <div className="buttons">
          <button type="submit" disabled={save.busy}>
            {t('common.save')}
          </button>
          {done && <span role="status">{t('account.passwordChanged')}</span>}
        </div>
      </form>
    </Section>
  );
}

function TotpOff({ onChange }: { onChange(): Promise<void> }) {
  const { t } = useI18n();
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | undefined>();
  const [code, setCode] = useState('');
  const begin = useSubmit(() => call('beginTotp'), setEnrolment);
  const confirm = useSubmit(() => call('confirmTotp', { body: { code: code.replace(/\s/g, '') } }), () => void onChange());
  if (!enrolment) {
    return (
      <>
        <p>{t('account.totpOff')}</p>
        <ProblemMessage problem={begin.problem} />
        <button type="button" onClick={() => void begin.onSubmit()} disabled={begin.busy}>
          {t('account.totpBegin')}
        </button>
      </>
    );
  }
  return (
    <form onSubmit={(e) => void confirm.onSubmit(e)} noValidate>
      <p>{t('account.totpScan')}</p>
      <QrCode text={enrolment.uri} label={t('account.totpQr')} />
      <CopyValue label={t('account.totpSecret')} value={enrolment.secret.replace(/(.{4})/g, '$1 ').trim()} />
      <CopyValue label={t('account.totpUri')} value={enrolment.uri} />
      <Field label={t('signIn.code')} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} error={confirm.fieldError('/code')} />
      <ProblemMessage problem={confirm.formError('/code')} />
      <button type="submit" disabled={confirm.busy}>
        {t('account.totpConfirm')}
      </button>
    </form>
  );
}

/**
 * Removing the second factor, confirmed with the password in a dialog of its own (not
 * ConfirmButton's): the API's refusal names the field by its pointer (`/password`), and is
 * shown there; anything else above the buttons.
 */
function TotpOn({ onChange }: { onChange(): Promise<void> }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const remove = useSubmit(
    () => call('removeTotp', { body: { password } }),
    () => {
      setPassword('');
      setOpen(false);
      void onChange();
    },
  );
  useEffect(() => {
    if (open) ref.current?.showModal();
    else ref.current?.close();
  }, [open]);
  const close = () => {
    setOpen(false);
    remove.setProblem(undefined);
  };
  return (
    <>
      <p>{t('account.totpOn')}</p>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {t('account.totpRemove')}
      </button>
      <dialog ref={ref} aria-labelledby={titleId} onClose={close}>
        <form method="dialog" noValidate onSubmit={(e) => void remove.onSubmit(e)}>
          <h2 id={titleId}>{t('account.totpRemove')}</h2>
          <p>{t('account.totpRemoveConfirm')}</p>
          <Field label={t('common.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={remove.fieldError('/password')} />
          <ProblemMessage problem={remove.formError('/password')} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={close}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="danger" disabled={remove.busy}>
              {t('common.confirm')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
