/**
 * The reply page (/reply/{conversationId}#<reply token>), opened from a notification's Reply
 * action where the browser has no inline reply. The token comes in the fragment, which no
 * server sees; it is taken out of the address bar at once and kept in this tab's
 * sessionStorage only, so a reload still works and no cookie is needed. Message text is
 * the user's and the app's: it is set as text, never as HTML.
 */

interface Message {
  seq: number;
  author: 'user' | 'assistant' | 'person';
  text: string;
  actions: { action: string; title: string; url?: string }[];
  createdAt: string;
}
interface Thread {
  conversationId: string;
  state: 'open' | 'waiting_for_person';
  title: string;
  placeholder: string;
  messages: Message[];
}
interface ProblemBody {
  code?: string;
  title?: string;
  retryAfter?: number;
  maxChars?: number;
}

class Problem extends Error {
  constructor(readonly status: number, readonly body: ProblemBody) {
    super(body.title ?? `HTTP ${status}`);
  }
}

/** ms between reads of the thread while an answer is awaited, and how many reads at most. */
const POLL_EVERY = 5_000;
const POLL_MAX = 24;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const AUTHOR: Record<Message['author'], string> = { user: 'You', assistant: 'Assistant', person: 'Support' };

function say(id: 'problem' | 'status', text: string): void {
  const el = $(id);
  el.textContent = text;
  el.hidden = text === '';
}

function takeToken(): string | null {
  const key = `carillon-reply:${location.pathname}`;
  const fromHash = location.hash.slice(1);
  if (fromHash) {
    sessionStorage.setItem(key, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(key);
}

async function call<T>(method: 'GET' | 'POST', path: string, init: { token?: string; body?: unknown }): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.token) headers['carillon-reply-token'] = init.token;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', credentials: 'omit', ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const body = (await res.json().catch(() => ({}))) as T & ProblemBody;
  if (!res.ok) throw new Problem(res.status, body);
  return body;
}

/** What the user is told for a refusal; `final` when the page cannot go on. */
function problemText(err: unknown): { text: string; final: boolean } {
  if (!(err instanceof Problem)) return { text: 'Carillon could not be reached. Check your connection and try again.', final: false };
  const b = err.body;
  switch (b.code) {
    case 'reply_token_expired':
      return { text: 'This conversation has expired: it no longer takes replies.', final: true };
    case 'conversation_closed':
      return { text: 'This conversation is closed.', final: true };
    case 'reply_token_invalid':
      return { text: 'This reply link is not valid. Open it again from the notification.', final: true };
    case 'conversation_full':
      return { text: 'This conversation takes no more replies.', final: true };
    case 'rate_limited':
      return { text: `Too many messages at once. Try again in ${b.retryAfter ?? 60} seconds.`, final: false };
    case 'reply_too_long':
      return { text: `Your reply is too long: ${b.maxChars ?? 'fewer'} characters at most.`, final: false };
    default:
      return { text: b.title ?? `The server answered ${err.status}.`, final: false };
  }
}

function messageItem(m: Message): HTMLLIElement {
  const li = document.createElement('li');
  li.className = m.author;
  li.dataset.seq = String(m.seq);
  const who = document.createElement('span');
  who.className = 'author';
  who.textContent = AUTHOR[m.author];
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = m.text;
  li.append(who, text);
  if (m.actions.length > 0) {
    const list = document.createElement('ul');
    list.className = 'actions';
    for (const a of m.actions) {
      const item = document.createElement('li');
      // Only web links are followed: an answer's URL is the app's, never a script.
      const link = a.url && /^https?:\/\//i.test(a.url) ? Object.assign(document.createElement('a'), { href: a.url, rel: 'noopener noreferrer' }) : document.createElement('span');
      link.textContent = a.title;
      item.append(link);
      list.append(item);
    }
    li.append(list);
  }
  return li;
}

function main(): void {
  const token = takeToken();
  const form = $<HTMLFormElement>('reply');
  const field = $<HTMLTextAreaElement>('text');
  const send = $<HTMLButtonElement>('send');
  const list = $('messages');
  let lastSeq = 0;
  let polls = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The clientId of a reply not yet acknowledged: sent again with the same text, it is stored once.
  let pending: { text: string; clientId: string } | undefined;

  const stop = (text: string) => {
    clearTimeout(timer);
    form.hidden = true;
    say('status', '');
    say('problem', text);
  };
  const show = (messages: Message[]) => {
    for (const m of messages) {
      if (m.seq <= lastSeq) continue;
      list.append(messageItem(m));
      lastSeq = m.seq;
    }
  };
  const waitingForAnswer = (t: Thread) => t.messages.at(-1)?.author === 'user';
  const schedule = (delay = POLL_EVERY) => {
    clearTimeout(timer);
    if (polls >= POLL_MAX) return void say('status', 'No answer yet. It will also come as a notification.');
    polls += 1;
    timer = setTimeout(() => void load(), delay);
  };
  const load = async (): Promise<void> => {
    try {
      const t = await call<Thread>('GET', '/v1/reply/thread', { token: token! });
      document.title = t.title;
      $('title').textContent = t.title;
      field.placeholder = t.placeholder;
      show(t.messages);
      form.hidden = false;
      say('problem', '');
      if (waitingForAnswer(t)) {
        say('status', t.state === 'waiting_for_person' ? 'A person will answer you here and by notification.' : 'Waiting for the answer…');
        schedule();
      } else say('status', '');
    } catch (err) {
      const p = problemText(err);
      if (p.final) return stop(p.text);
      say('problem', p.text);
      const retry = err instanceof Problem && typeof err.body.retryAfter === 'number' ? err.body.retryAfter * 1000 : POLL_EVERY;
      schedule(retry);
    } finally {
      document.body.dataset.ready = 'true';
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = field.value.trim();
    if (!text) return;
    if (pending?.text !== text) pending = { text, clientId: crypto.randomUUID() };
    send.disabled = true;
    void call<{ message: Message }>('POST', '/v1/reply', { body: { token, text, clientId: pending.clientId } })
      .then((r) => {
        pending = undefined;
        field.value = '';
        show([r.message]);
        say('problem', '');
        say('status', 'Waiting for the answer…');
        polls = 0;
        schedule();
      })
      .catch((err: unknown) => {
        const p = problemText(err);
        if (p.final) stop(p.text);
        else say('problem', p.text);
      })
      .finally(() => {
        send.disabled = false;
      });
  });

  if (!token) {
    stop('This page opens from a notification’s Reply button: its link is missing here.');
    document.body.dataset.ready = 'true';
    return;
  }
  void load();
}

main();
