import { useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, ProblemMessage, useSubmit } from '../ui/form.tsx';

/** The first start's link: /dashboard/setup#token=... (a fragment, so the token never reaches a log). */
function tokenFromLink(): string | undefined {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  return token || undefined;
}

export function SetupPage({ onDone }: { onDone(session: Session): void }) {
  const { t } = useI18n();
  const [token] = useState(tokenFromLink);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const form = useSubmit(
    async () => {
      if (password !== again) throw new ApiProblem(400, { code: 'invalid_request', detail: t('setup.mismatch'), errors: [{ pointer: '#/again', detail: t('setup.mismatch') }] });
      return call('completeSetup', { body: { token, email, password } });
    },
    (session) => {
      history.replaceState(null, '', location.pathname);
      onDone(session);
    },
  );
  return (
    <div className="narrow">
      <h1>{t('setup.title')}</h1>
      {!token ? (
        <p role="alert">{t('setup.noToken')}</p>
      ) : (
        <form onSubmit={(e) => void form.onSubmit(e)} noValidate>
          <p>{t('setup.intro')}</p>
          <Field label={t('common.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={form.fieldError('/email')} />
          <Field label={t('common.password')} type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} hint={t('password.hint')} error={form.fieldError('/password')} />
          <Field label={t('setup.confirmPassword')} type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} error={form.fieldError('/again')} />
          <ProblemMessage problem={form.formError('/email', '/password', '/again')} />
          <button type="submit" disabled={form.busy}>
            {t('setup.submit')}
          </button>
        </form>
      )}
    </div>
  );
}
