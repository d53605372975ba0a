import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { can, useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { CopyValue, Loading, ProblemMessage, Section } from '../ui/form.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { useLoad } from '../ui/use-load.ts';
import { AppCredentials } from './app-credentials.tsx';
import { AppKeys } from './app-keys.tsx';
import { AppMembers } from './app-members.tsx';
import { AppSettings, CampaignDefaults } from './app-settings.tsx';

/** One app: its keys, settings, campaign defaults, credentials and operators; what the role may change is editable. */
export function AppPage({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const app = useLoad((signal) => call('getApp', { params: { appId }, signal }), [appId]);
  const owner = can(session, appId, 'owner');
  const [identitySecret, setIdentitySecret] = useState<string | undefined>();
  if (app.problem) return <div className="page"><ProblemMessage problem={app.problem} /></div>;
  if (!app.data) return <div className="page"><Loading /></div>;
  const a = app.data;
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{a.name}</h1>
      {!owner && <p className="notice">{t('app.readOnly')}</p>}
      <Section title={t('app.overview')}>
        <CopyValue label={t('app.id')} value={a.id} />
        <CopyValue label={t('app.vapidKey')} value={a.vapidPublicKey} />
      </Section>
      <AppKeys appId={appId} editable={owner} />
      <AppSettings app={a} editable={owner} onSaved={(next) => app.setData(next)} />
      <CampaignDefaults appId={appId} editable={owner} />
      {owner && (
        <Section title={t('app.identitySecret')}>
          <ConfirmButton
            label={t('app.identityRotate')}
            message={t('app.identityRotateConfirm')}
            action={async () => setIdentitySecret((await call('rotateIdentitySecret', { params: { appId } })).identitySecret)}
          />
          {identitySecret && <CopyValue label={t('apps.identitySecret')} value={identitySecret} note={t('common.shownOnce')} />}
        </Section>
      )}
      <AppCredentials appId={appId} editable={owner} />
      {owner && <AppMembers appId={appId} />}
    </div>
  );
}
