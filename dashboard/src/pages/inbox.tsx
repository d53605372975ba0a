import { useState } from 'react';
import { call } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { Loading, ProblemMessage } from '../ui/form.tsx';
import { ScrollTable } from '../ui/scroll.tsx';
import { useLoad } from '../ui/use-load.ts';
import { Pager } from './campaigns.tsx';
import { INBOX_TABS, type ConversationState, type InboxTab } from './inbox-types.ts';

const PAGE_SIZE = 25;

export function stateKey(state: ConversationState): MessageKey {
  return `inbox.state.${state}`;
}

/** The list query of a tab: a state, the threads the operator holds, or none of either. */
function tabQuery(tab: InboxTab): Record<string, string> {
  if (tab === 'all') return {};
  if (tab === 'mine') return { assignee: 'me' };
  return { state: tab };
}

/**
 * An app's conversations (listConversations), newest first by pages, in tabs: the threads
 * waiting for a person first (hand-offs and those taken over), then those the assistant
 * has, the operator's own, the closed ones and every one. Each links to its thread.
 */
export function InboxPage({ appId }: { appId: string }) {
  const { t, date } = useI18n();
  const [tab, setTab] = useState<InboxTab>('waiting_for_person');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad((signal) => call('listConversations', { params: { appId }, query: { limit: String(PAGE_SIZE), ...tabQuery(tab), ...(cursor ? { cursor } : {}) }, signal }), [appId, tab, cursor]);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('inbox.title')}</h1>
      <div className="tabs" role="group" aria-label={t('inbox.tabs')}>
        {INBOX_TABS.map((x) => (
          <button
            key={x}
            type="button"
            className="tab"
            aria-pressed={tab === x}
            onClick={() => {
              setTab(x);
              setCursors([undefined]);
            }}
          >
            {t(`inbox.tab.${x}`)}
          </button>
        ))}
      </div>
      <div className="tab-panel">
        {list.problem && <ProblemMessage problem={list.problem} />}
        {!list.data && !list.problem && <Loading />}
        {list.data && list.data.data.length === 0 && <p>{t('inbox.none')}</p>}
        {list.data && list.data.data.length > 0 && (
          <ScrollTable label={t('inbox.title')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.thread')}</th>
                  <th scope="col">{t('inbox.user')}</th>
                  <th scope="col">{t('inbox.state')}</th>
                  <th scope="col">{t('inbox.heldBy')}</th>
                  <th scope="col">{t('inbox.started')}</th>
                  <th scope="col">{t('inbox.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/apps/${appId}/inbox/${c.id}`}>{c.title || c.id}</Link>
                    </td>
                    <td>{c.userId ?? <span className="muted">{t('inbox.anonymous')}</span>}</td>
                    <td>
                      <span className={`status status-conversation-${c.state}`}>{t(stateKey(c.state))}</span>
                    </td>
                    <td>{c.assignee ? c.assignee.email : <span className="muted">{t('inbox.nobody')}</span>}</td>
                    <td>{date(c.createdAt)}</td>
                    <td>{date(c.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
        <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
      </div>
    </div>
  );
}
