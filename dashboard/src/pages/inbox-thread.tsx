import { useEffect, useId, useRef, useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { stateKey } from './inbox.tsx';
import { ANSWER_MAX_CHARS, type Conversation, type ConversationMessage } from './inbox-types.ts';

/** How often the open thread is read again, so a user's new reply shows (ms). */
const REFRESH_EVERY = 5_000;
/** Reads after which it stops by itself (10 minutes of a page left open), until asked again. */
const REFRESH_LIMIT = 120;

/**
 * Reads the thread again REFRESH_EVERY after each read has answered (`settled` changes
 * with each answer), so reads never overlap, at most REFRESH_LIMIT times; `restart` starts
 * the count again.
 */
function useRefresh(reload: () => void, settled: unknown[], active: boolean) {
  const [count, setCount] = useState(0);
  const paused = count >= REFRESH_LIMIT;
  useEffect(() => {
    if (!active || paused) return;
    const timer = setTimeout(() => {
      setCount((n) => n + 1);
      reload();
    }, REFRESH_EVERY);
    return () => clearTimeout(timer);
  }, [...settled, active, paused, reload]);
  return { paused, restart: () => setCount(0) };
}

/**
 * The thread's earlier messages, read on demand before the page the refresh reads (its last
 * 100). They are kept: when new messages push that page past them, the messages between
 * are read (`after` the last kept, `before` the page) and kept with them, so what the
 * operator opened stays on screen, in order.
 */
function useEarlier(appId: string, conversationId: string, c: Conversation | undefined) {
  const [older, setOlder] = useState<{ messages: ConversationMessage[]; earlier: number | null }>({ messages: [], earlier: null });
  const first = c?.messages[0]?.seq;
  const lastKept = older.messages.at(-1)?.seq;
  const joined = lastKept !== undefined && first !== undefined && lastKept + 1 >= first;
  const shown = lastKept === undefined || first === undefined ? (c?.messages ?? []) : [...older.messages.filter((m) => m.seq < first), ...c!.messages];
  const before = lastKept !== undefined ? older.earlier : (c?.earlier ?? null);
  useEffect(() => {
    if (lastKept === undefined || first === undefined || joined) return;
    const controller = new AbortController();
    call('getConversation', { params: { appId, id: conversationId }, query: { after: String(lastKept), before: String(first), limit: '500' }, signal: controller.signal }).then(
      (gap) => setOlder((o) => ({ ...o, messages: [...o.messages, ...gap.messages.filter((m) => m.seq > lastKept)] })),
      () => undefined, // Read again when the refreshed page moves on.
    );
    return () => controller.abort();
  }, [appId, conversationId, first, lastKept, joined]);
  const more = useSubmit(
    () => call('getConversation', { params: { appId, id: conversationId }, query: { before: String(before) } }),
    (page) => setOlder((o) => ({ messages: [...page.messages, ...o.messages], earlier: page.earlier })),
  );
  return { shown, before, more };
}

/**
 * One conversation (getConversation): its messages in order, each with who wrote it (for a
 * person's, which operator) and when, refreshed every few seconds, earlier ones on demand.
 * An editor takes it over from the assistant, answers it (the answer is pushed into the
 * thread), hands it back or closes it; a viewer reads it.
 */
export function InboxThreadPage({ appId, conversationId }: { appId: string; conversationId: string }) {
  const { t, date } = useI18n();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const thread = useLoad((signal) => call('getConversation', { params: { appId, id: conversationId }, signal }), [appId, conversationId]);
  const c = thread.data;
  const refresh = useRefresh(thread.reload, [c, thread.problem], c !== undefined && c.state !== 'closed');
  const params = { appId, id: conversationId };
  const show = (next: Conversation) => thread.setData(next);
  const takeOver = useSubmit(() => call('takeOverConversation', { params }), show);
  const handBack = useSubmit(() => call('releaseConversation', { params }), show);
  const mine = c?.assignee?.operatorId === session.operator.id;
  const earlier = useEarlier(appId, conversationId, c);
  return (
    <div className="page">
      <AppNav appId={appId} />
      <p>
        <Link to={`/apps/${appId}/inbox`}>{t('inbox.back')}</Link>
      </p>
      {thread.problem && !c && <ProblemMessage problem={thread.problem} />}
      {!c && !thread.problem && <Loading />}
      {c && (
        <>
          <div className="page-head">
            <h1>{c.title || c.id}</h1>
            <span className={`status status-conversation-${c.state}`}>{t(stateKey(c.state))}</span>
          </div>
          <dl className="facts">
            <dt>{t('inbox.user')}</dt>
            <dd>{c.userId ?? t('inbox.anonymous')}</dd>
            <dt>{t('inbox.assistant')}</dt>
            <dd>{t(`inbox.assistant.${c.assistant}`)}</dd>
            <dt>{t('inbox.heldBy')}</dt>
            <dd>{c.assignee ? `${c.assignee.email} (${date(c.assignee.takenAt)})` : t('inbox.nobody')}</dd>
            {c.handoffReason && c.state === 'waiting_for_person' && (
              <>
                <dt>{t('inbox.handoffReason')}</dt>
                <dd>
                  <code>{c.handoffReason}</code>
                </dd>
              </>
            )}
            <dt>{t('inbox.started')}</dt>
            <dd>{date(c.createdAt)}</dd>
          </dl>
          <Section title={t('inbox.messages')}>
            {earlier.shown.length === 0 && <p>{t('inbox.noMessages')}</p>}
            {earlier.before !== null && (
              <p>
                <button type="button" className="secondary" disabled={earlier.more.busy} onClick={() => void earlier.more.onSubmit()}>
                  {t('inbox.earlier')}
                </button>
              </p>
            )}
            <ProblemMessage problem={earlier.more.problem} />
            <ol className="plain thread" aria-live="polite">
              {earlier.shown.map((m) => (
                <li key={m.seq} className={`thread-message thread-${m.author}`}>
                  <p className="thread-meta">
                    <strong>{t(`inbox.author.${m.author}`)}</strong>
                    {m.operator && <span className="thread-operator"> {m.operator.email}</span>} <time dateTime={m.createdAt}>{date(m.createdAt)}</time>
                  </p>
                  <p className="thread-text">
                    {m.text}
                    {m.choice && <span className="muted"> ({t('inbox.tapped')})</span>}
                  </p>
                  {m.actions.length > 0 && <p className="muted">{m.actions.map((a) => a.title).join(' · ')}</p>}
                </li>
              ))}
            </ol>
            <p className="hint">
              {c.state === 'closed' ? t('inbox.closed') : refresh.paused ? t('inbox.refreshPaused') : t('inbox.refreshing', { seconds: REFRESH_EVERY / 1000 })}{' '}
              {c.state !== 'closed' && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    refresh.restart();
                    thread.reload();
                  }}
                >
                  {t('inbox.refresh')}
                </button>
              )}
            </p>
          </Section>
          {!editor && <p className="notice">{t('inbox.viewerNote')}</p>}
          {editor && c.state !== 'closed' && (
            <Section title={t('inbox.asPerson')}>
              {mine && <p className="notice">{t('inbox.heldByYou')}</p>}
              {c.assignee && !mine && <p className="notice">{t('inbox.heldByOther', { email: c.assignee.email })}</p>}
              {mine && <AnswerForm appId={appId} conversationId={conversationId} onSent={thread.reload} />}
              {!mine && !c.assignee && <p>{t('inbox.takeOverHint')}</p>}
              <ProblemMessage problem={takeOver.problem ?? handBack.problem} />
              <div className="buttons">
                {!mine && !c.assignee && (
                  <button type="button" disabled={takeOver.busy} onClick={() => void takeOver.onSubmit()}>
                    {t('inbox.takeOver')}
                  </button>
                )}
                {(c.assignee || c.state === 'waiting_for_person') && (
                  <button type="button" className="secondary" disabled={handBack.busy} onClick={() => void handBack.onSubmit()}>
                    {t('inbox.handBack')}
                  </button>
                )}
                <ConfirmButton
                  label={t('inbox.close')}
                  title={t('inbox.closeTitle')}
                  message={t('inbox.closeConfirm')}
                  action={async () => show(await call('closeConversation', { params }))}
                />
              </div>
            </Section>
          )}
        </>
      )}
    </div>
  );
}

/** The holder's answer: the thread's next message, pushed to the user's device. */
function AnswerForm({ appId, conversationId, onSent }: { appId: string; conversationId: string; onSent(): void }) {
  const { t, number } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const send = useSubmit(
    () => call('answerConversation', { params: { appId, id: conversationId }, body: { text } }),
    () => {
      setText('');
      onSent();
      ref.current?.focus();
    },
  );
  const left = ANSWER_MAX_CHARS - [...text].length;
  const error = send.fieldError('/text');
  return (
    <form onSubmit={(e) => void send.onSubmit(e)}>
      <div className="field">
        <label htmlFor={id}>{t('inbox.answer')}</label>
        <textarea
          id={id}
          ref={ref}
          rows={4}
          required
          maxLength={ANSWER_MAX_CHARS}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        />
        <p className="hint" id={`${id}-hint`}>
          {t('inbox.answerHint', { max: number(ANSWER_MAX_CHARS) })} {t('inbox.charsLeft', { n: number(left) })}
        </p>
        {error && (
          <p className="field-error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
      <ProblemMessage problem={send.formError('/text')} />
      <div className="buttons">
        <button type="submit" disabled={send.busy || text.trim() === ''}>
          {t('inbox.send')}
        </button>
      </div>
    </form>
  );
}
