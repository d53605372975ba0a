import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';

/** The pages of one app, at the top of each of them: its settings, audience and results. */
export function AppNav({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { path } = useRouter();
  const base = `/apps/${encodeURIComponent(appId)}`;
  const links: [string, string][] = [
    [base, t('results.app')],
    [`${base}/users`, t('audience.users')],
    [`${base}/segments`, t('audience.segments')],
    [`${base}/campaigns`, t('campaigns.title')],
    [`${base}/notifications`, t('notifications.title')],
    [`${base}/analytics`, t('analytics.title')],
    [`${base}/webhooks`, t('webhooks.title')],
    [`${base}/compose`, t('nav.compose')],
    [`${base}/journeys`, t('journeys.title')],
    [`${base}/inbox`, t('inbox.title')],
    [`${base}/alerts`, t('alerts.title')],
  ];
  return (
    <nav className="subnav" aria-label={t('results.nav')}>
      <ul>
        {links.map(([to, label]) => (
          <li key={to}>
            {/* The app's own page is current only at its path, not under it (as Link would have it). */}
            <Link to={to} {...(to === base ? { 'aria-current': path === base ? 'page' : undefined } : {})}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
