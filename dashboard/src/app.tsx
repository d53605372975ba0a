import { Component, useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiProblem, call, setCsrfToken, whenSessionEnds } from './api/client.ts';
import type { Session } from './api/types.ts';
import { useI18n } from './i18n/i18n.tsx';
import { Bare, Layout } from './layout.tsx';
import { PAGES } from './pages.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { SetupPage } from './pages/setup.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { match, useRouter } from './router.tsx';
import { SessionContext } from './session.tsx';
import { Loading, ProblemMessage } from './ui/form.tsx';

/** A page that throws shows what went wrong and a way on, never a blank screen. */
class PageBoundary extends Component<{ children: ReactNode; title: string; path: string }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidUpdate(previous: { path: string }) {
    if (previous.path !== this.props.path && this.state.error) this.setState({ error: undefined });
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="page">
        <h1>{this.props.title}</h1>
        <p role="alert">{this.state.error.message}</p>
      </div>
    );
  }
}

export function App() {
  const { t } = useI18n();
  const { path, navigate } = useRouter();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const adopt = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? '');
    setSession(s);
  }, []);
  const refresh = useCallback(async () => {
    try {
      adopt(await call('getSession'));
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 401) adopt(null);
      else setProblem(err instanceof ApiProblem ? err : undefined);
    }
  }, [adopt]);
  useEffect(() => {
    whenSessionEnds(() => adopt(null));
    void refresh();
  }, [adopt, refresh]);

  const signedIn = (s: Session) => {
    adopt(s);
    navigate('/apps');
  };

  if (path === '/setup') {
    return (
      <Bare>
        <SetupPage onDone={signedIn} />
      </Bare>
    );
  }
  if (session === undefined) {
    return <Bare>{problem ? <ProblemMessage problem={problem} /> : <Loading />}</Bare>;
  }
  if (session === null) {
    return (
      <Bare>
        <SignInPage onDone={signedIn} />
      </Bare>
    );
  }
  const target = path === '/' ? '/apps' : path;
  let content: ReactNode = <NotFoundPage />;
  for (const page of PAGES) {
    const params = match(page.path, target);
    if (params && (!page.adminOnly || session.operator.admin)) {
      const Page = page.component;
      content = <Page key={target} {...params} />;
      break;
    }
  }
  return (
    <SessionContext.Provider value={{ session, refresh, signedOut: () => adopt(null) }}>
      <Layout>
        <PageBoundary title={t('error.title')} path={target}>
          {content}
        </PageBoundary>
      </Layout>
    </SessionContext.Provider>
  );
}
