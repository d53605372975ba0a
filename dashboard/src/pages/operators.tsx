import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/** Operator accounts (administrators): create with a first password, delete with a confirmation. Roles per app are given on each app's page. */
export function OperatorsPage() {
  const { t, date } = useI18n();
  const { session } = useSession();
  const list = useLoad((signal) => call('listOperators', { signal }), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const create = useSubmit(
    () => call('createOperator', { body: { email, password, admin } }),
    () => {
      setEmail('');
      setPassword('');
      setAdmin(false);
      list.reload();
    },
  );
  return (
    <div className="page">
      <h1>{t('operators.title')}</h1>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common.email')}</th>
                <th scope="col">{t('common.role')}</th>
                <th scope="col">{t('operators.totp')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.delete')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    {o.email} {o.id === session.operator.id && <span className="muted">{t('operators.you')}</span>}
                  </td>
                  <td>{o.admin ? t('role.admin') : '—'}</td>
                  <td>{o.totp ? t('common.yes') : t('common.no')}</td>
                  <td>{date(o.createdAt)}</td>
                  <td>{o.id !== session.operator.id && <ConfirmButton label={t('common.delete')} title={`${t('common.delete')}: ${o.email}`} message={t('operators.deleteConfirm', { email: o.email })} action={async () => { await call('deleteOperator', { params: { operatorId: o.id } }); list.reload(); }} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Section title={t('operators.create')}>
        <form onSubmit={(e) => void create.onSubmit(e)} noValidate>
          <Field label={t('common.email')} type="email" name="operatorEmail" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={create.fieldError('/email')} />
          <Field label={t('common.password')} type="password" name="operatorPassword" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint={t('password.hint')} error={create.fieldError('/password')} />
          <Field label={t('operators.admin')} type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
          <ProblemMessage problem={create.formError('/email', '/password')} />
          <button type="submit" disabled={create.busy}>
            {t('operators.create')}
          </button>
        </form>
      </Section>
    </div>
  );
}
