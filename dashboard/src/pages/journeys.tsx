import { useState } from 'react';
import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { Pager } from './campaigns.tsx';
import { JourneyJsonEditor } from './journey-editor.tsx';
import { JourneyTemplates } from './journey-templates.tsx';
import type { JourneyStatus } from './journey-types.ts';

/** The API answers an app's journeys in one list (no cursor): the page shows them 25 at a time. */
const PAGE_SIZE = 25;

export function journeyStatusKey(status: JourneyStatus): MessageKey {
  return `journey.status.${status}`;
}

/** An app's journeys, newest first: status, version and runs in flight. */
export function JourneysPage({ appId }: { appId: string }) {
  const { t, number } = useI18n();
  const { session } = useSession();
  const [pageIndex, setPageIndex] = useState(0);
  const list = useLoad((signal) => call('listJourneys', { params: { appId }, signal }), [appId]);
  const all = list.data?.data ?? [];
  const shown = all.slice(pageIndex * PAGE_SIZE, (pageIndex + 1) * PAGE_SIZE);
  const hasNext = (pageIndex + 1) * PAGE_SIZE < all.length;
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('journeys.title')}</h1>
      {can(session, appId, 'editor') && (
        <p>
          <Link className="button" to={`/apps/${appId}/journeys/new`}>
            {t('journeys.new')}
          </Link>
        </p>
      )}
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && all.length === 0 && <p>{t('journeys.none')}</p>}
      {shown.length > 0 && (
        <ScrollTable label={t('journeys.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('journeys.name')}</th>
                <th scope="col">{t('journeys.status')}</th>
                <th scope="col" className="num">{t('journeys.version')}</th>
                <th scope="col" className="num">{t('journeys.inFlight')}</th>
                <th scope="col" className="num">{t('journeys.ended')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link to={`/apps/${appId}/journeys/${j.id}`}>{j.name}</Link>
                  </td>
                  <td>
                    <span className={`status status-journey-${j.status}`}>{t(journeyStatusKey(j.status))}</span>
                  </td>
                  <td className="num">{number(j.version)}</td>
                  <td className="num">{number(j.runs.active)}</td>
                  <td className="num">{number(j.runs.ended)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <Pager hasPrevious={pageIndex > 0} next={hasNext ? String(pageIndex + 1) : null} onPrevious={() => setPageIndex(pageIndex - 1)} onNext={(n) => setPageIndex(Number(n))} />
    </div>
  );
}

/** A journey to start from when no template is chosen: a wait and a send. */
const BLANK = {
  name: '',
  trigger: { event: 'signed_up' },
  steps: [{ wait: { duration: '1d' } }, { send: { content: { en: { title: 'Welcome' } } } }],
};

/** A new journey: from a template or the blank one, edited as JSON, saved as a draft. */
export function NewJourneyPage({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const { navigate } = useRouter();
  const [text, setText] = useState(JSON.stringify(BLANK, null, 2));
  const editor = can(session, appId, 'editor');
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('journeys.new')}</h1>
      {!editor && <p className="notice">{t('journey.viewerNotice')}</p>}
      <JourneyTemplates appId={appId} onChoose={(body) => setText(JSON.stringify(body, null, 2))} />
      <JourneyJsonEditor
        text={text}
        onText={setText}
        disabled={!editor}
        saveLabel={t('journeys.saveDraft')}
        save={async (body) => {
          const made = await call('createJourney', { params: { appId }, body });
          navigate(`/apps/${appId}/journeys/${made.id}`);
        }}
      />
    </div>
  );
}
