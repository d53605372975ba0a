/**
 * The reply page (/reply/{conversationId}#<reply token>), opened from a notification's Reply
 * action where the browser has no inline reply. The token comes in the fragment, which no
 * server sees; it is taken out of the address bar at once and kept in this tab's
 * sessionStorage only, so a reload still works and no cookie is needed. Message text is
 * the user's and the app's: it is set as text, never as HTML. The latest answer's buttons
 * that are no links (the slots the assistant offers) can be tapped: the tap is posted as
 * the user's next message, the button's title with its action as the `choice`, once: the
 * server takes one choice per answer (reply_choice_taken), so an answer chosen from keeps its
 * buttons disabled.
 */

interface Message {
  seq: number;
  author: 'user' | 'assistant' | 'person';
  text: string;
  actions: { action: string; title: string; url?: string }[];
  choice?: string;
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
    case 'reply_choice_unknown':
      return { text: 'That choice is no longer offered: pick one of the latest answer’s, or write your reply.', final: false };
    case 'reply_choice_taken':
      return { text: 'You have chosen already: write a reply to change your choice.', final: false };
    case 'reply_too_long':
      return { text: `Your reply is too long: ${b.maxChars ?? 'fewer'} characters at most.`, final: false };
    default:
      return { text: b.title ?? `The server answered ${err.status}.`, final: false };
  }
}

/** An answer's buttons: links where they have a URL, else buttons to tap (a slot), enabled while theirs is the latest answer. */
function messageItem(m: Message, choose: (text: string, choice: string) => void): HTMLLIElement {
  const li = document.createElement('li');
  li.className = m.author;
  li.dataset.seq = String(m.seq);
  if (m.choice !== undefined) li.dataset.choice = m.choice;
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
      let link: HTMLElement;
      if (a.url === undefined) {
        link = Object.assign(document.createElement('button'), { type: 'button', className: 'choice', disabled: true });
        link.addEventListener('click', () => choose(a.title, a.action));
      } else link = a.url && /^https?:\/\//i.test(a.url) ? Object.assign(document.createElement('a'), { href: a.url, rel: 'noopener noreferrer' }) : document.createElement('span');
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
  // The clientId of a reply not yet acknowledged: sent again with the same text (and choice), it is stored once.
  let pending: { key: string; clientId: string } | undefined;
  let sending = false;

  const stop = (text: string) => {
    clearTimeout(timer);
    form.hidden = true;
    enableChoices();
    say('status', '');
    say('problem', text);
  };
  // The buttons to tap are the latest answer's, until a choice of the user's follows it (the
  // server takes no other), while nothing is being sent.
  const enableChoices = () => {
    let latest: HTMLElement | undefined;
    for (const li of list.children as HTMLCollectionOf<HTMLElement>) {
      if (!li.classList.contains('user')) latest = li;
      else if (li.dataset.choice !== undefined) latest = undefined;
    }
    for (const b of list.querySelectorAll<HTMLButtonElement>('button.choice')) b.disabled = sending || form.hidden || b.closest('#messages > li') !== latest;
  };
  const show = (messages: Message[]) => {
    for (const m of messages) {
      if (m.seq <= lastSeq) continue;
      list.append(messageItem(m, (text, choice) => void post(text, choice)));
      lastSeq = m.seq;
    }
    enableChoices();
  };
  const busy = (on: boolean) => {
    sending = on;
    send.disabled = on;
    enableChoices();
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
      form.hidden = false;
      show(t.messages);
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

  /** Posts a reply, typed or tapped (`choice`); true once the thread has it. */
  const post = async (text: string, choice?: string): Promise<boolean> => {
    if (sending) return false;
    const key = `${choice ?? ''} ${text}`;
    if (pending?.key !== key) pending = { key, clientId: crypto.randomUUID() };
    busy(true);
    try {
      const r = await call<{ message: Message }>('POST', '/v1/reply', { body: { token, text, clientId: pending.clientId, ...(choice === undefined ? {} : { choice }) } });
      pending = undefined;
      show([r.message]);
      say('problem', '');
      say('status', 'Waiting for the answer…');
      polls = 0;
      schedule();
      return true;
    } catch (err) {
      const p = problemText(err);
      if (p.final) stop(p.text);
      else say('problem', p.text);
      // Chosen elsewhere (another tab or device): the thread read shows that choice, and disables the buttons.
      if (err instanceof Problem && err.body.code === 'reply_choice_taken') schedule(0);
      return false;
    } finally {
      busy(false);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = field.value.trim();
    if (!text) return;
    void post(text).then((sent) => {
      if (sent) field.value = '';
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
