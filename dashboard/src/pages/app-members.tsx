import { useState } from 'react';
import { call } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

const ROLES: Role[] = ['viewer', 'editor', 'owner'];

/** Who may do what on this app (owners only): roles given by email, taken away with a confirmation. */
export function AppMembers({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const members = useLoad((signal) => call('listMembers', { params: { appId }, signal }), [appId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const add = useSubmit(
    () => call('setMember', { params: { appId }, body: { email, role } }),
    () => {
      setEmail('');
      members.reload();
      void refresh();
    },
  );
  return (
    <Section title={t('app.members')}>
      {members.problem && <ProblemMessage problem={members.problem} />}
      {!members.data && !members.problem && <Loading />}
      {members.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('common.email')}</th>
              <th scope="col">{t('common.role')}</th>
              <th scope="col"><span className="visually-hidden">{t('common.remove')}</span></th>
            </tr>
          </thead>
          <tbody>
            {members.data.data.map((m) => (
              <tr key={m.operatorId}>
                <td>{m.email}</td>
                <td>{t(`role.${m.role}`)}</td>
                <td>
                  <ConfirmButton label={t('common.remove')} title={`${t('common.remove')}: ${m.email}`} message={t('app.memberRemoveConfirm', { email: m.email })} action={async () => { await call('removeMember', { params: { appId, operatorId: m.operatorId } }); members.reload(); void refresh(); }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row" onSubmit={(e) => void add.onSubmit(e)} noValidate>
        <Field label={t('common.email')} type="email" name="memberEmail" value={email} onChange={(e) => setEmail(e.target.value)} error={add.fieldError('/email')} />
        <div className="field">
          <label htmlFor="member-role">{t('common.role')}</label>
          <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={add.busy}>
          {t('app.memberAdd')}
        </button>
      </form>
      <ProblemMessage problem={add.formError('/email')} />
    </Section>
  );
}
