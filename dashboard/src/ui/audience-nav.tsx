import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';

/** The links between an app's audience pages: the app, its users, its segments. */
export function AudienceNav({ appId }: { appId: string }) {
  const { t } = useI18n();
  return (
    <nav className="subnav" aria-label={t('audience.nav')}>
      <ul>
        <li>
          <Link to={`/apps/${encodeURIComponent(appId)}`}>{t('audience.backToApp')}</Link>
        </li>
        <li>
          <Link to={`/apps/${encodeURIComponent(appId)}/users`}>{t('audience.users')}</Link>
        </li>
        <li>
          <Link to={`/apps/${encodeURIComponent(appId)}/segments`}>{t('audience.segments')}</Link>
        </li>
      </ul>
    </nav>
  );
}
