import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useRouter } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { UserActivity, UserDevices, UserQuietHours } from './audience-user-parts.tsx';

/**
 * One user: what the app knows of them (fields, attributes), their devices by channel,
 * recent events and failed deliveries, preferences and quiet hours; their export as a
 * download, and erasure after a confirmation that names them.
 */
export function AudienceUserPage({ appId, externalId }: { appId: string; externalId: string }) {
  const { t, number, date } = useI18n();
  const { session } = useSession();
  const { navigate } = useRouter();
  const editor = can(session, appId, 'editor');
  const user = useLoad((signal) => call('getUser', { params: { appId, externalId }, signal }), [appId, externalId]);
  const preferences = useLoad((signal) => call('getUserPreferences', { params: { appId, externalId }, signal }), [appId, externalId]);
  const [exported, setExported] = useState(false);
  const download = useSubmit(
    () => call('exportUser', { params: { appId, externalId } }),
    (data) => {
      // The export as the API answered it, saved by the browser: nothing leaves the page.
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${externalId}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setExported(true);
    },
  );
  if (user.problem) {
    return (
      <div className="page">
        <AppNav appId={appId} />
        <h1>{externalId}</h1>
        <ProblemMessage problem={user.problem} />
      </div>
    );
  }
  if (!user.data) return <div className="page"><Loading /></div>;
  const u = user.data;
  const attributes = Object.entries(u.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>
        <span className="muted">{t('user.title')}</span> {u.externalId}
      </h1>
      {!editor && <p className="notice">{t('audience.readOnly')}</p>}
      <Section title={t('user.overview')}>
        <dl className="facts">
          <dt>{t('users.language')}</dt>
          <dd>{u.language ?? '—'}</dd>
          <dt>{t('user.timezone')}</dt>
          <dd>{u.timezone ?? '—'}</dd>
          <dt>{t('users.country')}</dt>
          <dd>{u.country ?? '—'}</dd>
          <dt>{t('user.location')}</dt>
          <dd>{u.location ? `${number(u.location.lat)}, ${number(u.location.lon)}` : '—'}</dd>
          <dt>{t('common.created')}</dt>
          <dd>{date(u.createdAt)}</dd>
          <dt>{t('users.lastSeen')}</dt>
          <dd>{u.lastSeenAt ? date(u.lastSeenAt) : t('users.never')}</dd>
          <dt>{t('user.sessions')}</dt>
          <dd>{number(u.sessionCount)}</dd>
        </dl>
      </Section>
      <Section title={t('user.attributes')}>
        {attributes.length === 0 ? (
          <p className="muted">{t('user.noAttributes')}</p>
        ) : (
          <dl className="facts">
            {attributes.map(([k, v]) => (
              <div key={k} className="fact">
                <dt>
                  <code>{k}</code>
                </dt>
                <dd>{typeof v === 'number' ? number(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        )}
      </Section>
      <UserDevices appId={appId} externalId={externalId} />
      <UserActivity appId={appId} externalId={externalId} />
      <Section title={t('user.preferences')}>
        <ProblemMessage problem={preferences.problem} />
        {!preferences.data && !preferences.problem && <Loading />}
        {preferences.data && (
          <ul className="plain">
            {Object.entries(preferences.data).map(([category, on]) => (
              <li key={category} className="row-between">
                <code>{category}</code>
                <span>{on ? t('user.prefOn') : t('user.prefOff')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <UserQuietHours appId={appId} externalId={externalId} editable={editor} />
      <Section title={t('user.privacy')}>
        <p className="hint">{t('user.exportHint')}</p>
        <div className="buttons">
          <button type="button" className="secondary" disabled={download.busy} onClick={() => void download.onSubmit()}>
            {t('user.export')}
          </button>
          {exported && <span role="status">{t('user.exported')}</span>}
          {editor && (
            <ConfirmButton
              label={t('user.erase')}
              title={t('user.eraseTitle', { id: u.externalId })}
              message={t('user.eraseConfirm', { id: u.externalId })}
              confirmLabel={t('user.eraseButton', { id: u.externalId })}
              action={async () => {
                await call('eraseUser', { params: { appId, externalId } });
                navigate(`/apps/${encodeURIComponent(appId)}/users`);
              }}
            />
          )}
        </div>
        <ProblemMessage problem={download.problem} />
      </Section>
    </div>
  );
}
