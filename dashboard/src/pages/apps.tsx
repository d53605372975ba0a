import { useState } from 'react';
import { call } from '../api/client.ts';
import type { CreatedApp } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { CopyValue, Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/** The apps an operator reaches: every app for an administrator, else those they have a role on. */
export function AppsPage() {
  const { t, date } = useI18n();
  const { session, refresh } = useSession();
  const admin = session.operator.admin;
  const apps = useLoad(async (signal) => (admin ? (await call('listApps', { signal })).data.map((a) => ({ id: a.id, name: a.name, createdAt: a.createdAt, role: undefined })) : session.operator.memberships.map((m) => ({ id: m.appId, name: m.appName, createdAt: undefined, role: m.role }))), [admin, session]);
  const [created, setCreated] = useState<CreatedApp | undefined>();
  const [name, setName] = useState('');
  const [subject, setSubject] = useState('');
  const [verify, setVerify] = useState(true);
  const create = useSubmit(
    () => call('createApp', { body: { name, identityVerification: verify, ...(subject ? { vapidSubject: subject } : {}) } }),
    (app) => {
      setCreated(app);
      setName('');
      setSubject('');
      apps.reload();
      void refresh();
    },
  );
  return (
    <div className="page">
      <h1>{t('apps.title')}</h1>
      {apps.problem && <ProblemMessage problem={apps.problem} />}
      {!apps.data && !apps.problem && <Loading />}
      {apps.data && apps.data.length === 0 && <p>{admin ? t('apps.empty') : t('apps.emptyMember')}</p>}
      {apps.data && apps.data.length > 0 && (
        <ul className="tiles">
          {apps.data.map((a) => (
            <li key={a.id}>
              <Link to={`/apps/${encodeURIComponent(a.id)}`}>
                <strong>{a.name}</strong>
                <span className="muted">{a.role ? t('apps.yourRole', { role: t(`role.${a.role}`) }) : a.createdAt ? `${t('common.created')} ${date(a.createdAt)}` : ''}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {admin && (
        <Section title={t('apps.create')}>
          <form onSubmit={(e) => void create.onSubmit(e)} noValidate>
            <Field label={t('apps.name')} name="name" required value={name} onChange={(e) => setName(e.target.value)} error={create.fieldError('/name')} />
            <Field label={t('apps.vapidSubject')} name="vapidSubject" placeholder="mailto:push@example.org" value={subject} onChange={(e) => setSubject(e.target.value)} error={create.fieldError('/vapidSubject')} />
            <Field label={t('apps.identityVerification')} type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} />
            <ProblemMessage problem={create.formError('/name', '/vapidSubject')} />
            <button type="submit" disabled={create.busy}>
              {t('apps.create')}
            </button>
          </form>
          {created && (
            <div className="created" role="status">
              <p>{t('apps.created', { name: created.name })}</p>
              <CopyValue label={t('apps.secretKey')} value={created.secretKey} note={t('common.shownOnce')} />
              <CopyValue label={t('apps.publishableKey')} value={created.publishableKey} />
              <CopyValue label={t('apps.identitySecret')} value={created.identitySecret} note={t('common.shownOnce')} />
              <p>
                <Link to={`/apps/${encodeURIComponent(created.id)}`}>{t('apps.open', { name: created.name })}</Link>
              </p>
            </div>
          )}
        </Section>
      )}
    </div>
  );
}
