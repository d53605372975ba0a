import { useEffect, useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import type { Segment } from '../ui/audience-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';

/** An app's segments, oldest first, a page at a time by the API's cursor. */
export function SegmentsPage({ appId }: { appId: string }) {
  const { t, date } = useI18n();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const [rows, setRows] = useState<Segment[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const load = async (cursor?: string, signal?: AbortSignal) => {
    try {
      const page = await call('listSegments', { params: { appId }, query: cursor ? { cursor } : {}, ...(signal ? { signal } : {}) });
      setRows((prev) => (cursor ? [...(prev ?? []), ...page.data] : page.data));
      setNext(page.next);
    } catch (err) {
      if (signal?.aborted) return;
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { detail: String(err) }));
    }
  };
  useEffect(() => {
    const controller = new AbortController();
    void load(undefined, controller.signal);
    return () => controller.abort();
  }, [appId]);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <div className="page-head">
        <h1>{t('segments.title')}</h1>
        {editor && (
          <Link to={`/apps/${encodeURIComponent(appId)}/segments/new`} className="button">
            {t('segments.create')}
          </Link>
        )}
      </div>
      <ProblemMessage problem={problem} />
      {!rows && !problem && <Loading />}
      {rows && rows.length === 0 && <p className="muted">{t('segments.none')}</p>}
      {rows && rows.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('segments.name')}</th>
                <th scope="col">{t('segments.id')}</th>
                <th scope="col">{t('segments.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/apps/${encodeURIComponent(appId)}/segments/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                  </td>
                  <td>
                    <code>{s.id}</code>
                  </td>
                  <td>{date(s.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" className="secondary" onClick={() => void load(next)}>
          {t('audience.more')}
        </button>
      )}
    </div>
  );
}
