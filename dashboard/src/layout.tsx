import { useState, type ReactNode } from 'react';
import { call } from './api/client.ts';
import { LANGUAGES, useI18n, type Language } from './i18n/i18n.tsx';
import { PAGES } from './pages.tsx';
import { Link } from './router.tsx';
import { useSession } from './session.tsx';
import { BellIcon } from './ui/icons.tsx';

export function LanguagePicker() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language">
      <span className="visually-hidden">{t('nav.language')}</span>
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)} aria-label={t('nav.language')}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Header, navigation and the page: a skip link first, the navigation folding into a menu on a phone. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { session, signedOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const links = PAGES.filter((p) => p.nav && (!p.adminOnly || session.operator.admin));
  const signOut = async () => {
    await call('signOut').catch(() => undefined);
    signedOut();
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <Link to="/apps" className="brand">
          <BellIcon /> {t('app.name')}
        </Link>
        <button type="button" className="menu-toggle secondary" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          {t('nav.menu')}
        </button>
        <nav id="nav" aria-label={t('nav.label')} className={menuOpen ? 'open' : undefined} onClick={() => setMenuOpen(false)}>
          <ul>
            {links.map((p) => (
              <li key={p.path}>
                <Link to={p.path}>{t(p.nav!)}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-end">
          <LanguagePicker />
          <button type="button" className="secondary" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The pages before sign-in: the form alone, centred. */
export function Bare({ children }: { children: ReactNode }) {
  return (
    <div className="bare">
      <header className="bare-head">
        <span className="brand">
          <BellIcon /> Carillon
        </span>
        <LanguagePicker />
      </header>
      <main id="main">{children}</main>
    </div>
  );
}
