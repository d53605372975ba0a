import { useRef, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, ProblemMessage, useSubmit } from '../ui/form.tsx';

/** Email and password; then, for an account with a second factor, the code (the API answers totp_required). */
export function SignInPage({ onDone }: { onDone(session: Session): void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const form = useSubmit(async () => {
    try {
      return await call('signIn', { body: { email, password, ...(needsCode ? { code: code.replace(/\s/g, '') } : {}) } });
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'totp_required') {
        setNeedsCode(true);
        requestAnimationFrame(() => codeRef.current?.focus());
        return undefined;
      }
      throw err;
    }
  }, (session) => session && onDone(session));
  const problem = form.problem?.code === 'totp_required' ? undefined : form.formError('/code');
  return (
    <div className="narrow">
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={(e) => void form.onSubmit(e)} noValidate>
        {!needsCode ? (
          <>
            <Field label={t('common.email')} name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <Field label={t('common.password')} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </>
        ) : (
          <>
            <p>{t('signIn.codeIntro')}</p>
            <Field ref={codeRef} label={t('signIn.code')} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={7} required value={code} onChange={(e) => setCode(e.target.value)} error={form.fieldError('/code')} />
          </>
        )}
        <ProblemMessage problem={problem} />
        <div className="buttons">
          {needsCode && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setNeedsCode(false);
                setCode('');
                form.setProblem(undefined);
              }}
            >
              {t('signIn.back')}
            </button>
          )}
          <button type="submit" disabled={form.busy}>
            {t('signIn.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
