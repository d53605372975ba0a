/**
 * The example login page: asks the example backend (src/http/routes/examples-login.ts) to
 * start a push sign-in, shows the code (or, in number-matching mode, the number to pick),
 * and long-polls the backend until the device answered or the challenge ran out. The page never talks to Carillon itself: the secret key is the
 * backend's.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/examples/login/api/${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw Object.assign(new Error(String(json.detail ?? json.title ?? res.status)), { code: json.code });
  return json as T;
}

function outcome(text: string, kind: 'ok' | 'error' | 'info', status = ''): void {
  const el = $('outcome');
  el.textContent = text;
  el.dataset.kind = kind;
  el.dataset.status = status;
  el.hidden = false;
}

const MESSAGES: Record<string, string> = {
  sign_in_locked: 'Sign-in by push is locked for this account. Contact support to unlock it.',
  sign_in_backoff: 'Too many failed attempts: wait a little before trying again.',
  sign_in_push_limit: 'Too many sign-in requests: wait before asking again.',
  no_enrolled_device: 'This account has no device to confirm with: add one first.',
};

const failure = (err: unknown) => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && MESSAGES[code] ? MESSAGES[code]! : `Sign-in failed: ${(err as Error).message}`;
};

type Status = { status: string; reason: string | null };

function ended(s: Status): [string, 'ok' | 'error'] {
  if (s.status === 'approved') return ['Signed in. Welcome back.', 'ok'];
  if (s.reason === 'wrong_code') return ['Refused: the code typed on the device was wrong. Sign in again.', 'error'];
  if (s.reason === 'fraud') return ['Refused: the device reported that this was not you. Sign-in by push is now locked.', 'error'];
  if (s.status === 'locked') return ['Refused: sign-in by push is locked for this account.', 'error'];
  if (s.status === 'denied') return ['Refused on your device.', 'error'];
  return ['The request expired. Sign in again.', 'error'];
}

let polling = 0;

/** s each request waits at the backend for the answer (a long poll, at most 30). */
const WAIT = 25;

async function poll(challengeId: string, run: number): Promise<void> {
  // A long poll: the backend holds each request (GET …/mfa/challenges/{id}?wait=) until the
  // device answers or the wait ends, so the page hears of the answer at once, without asking
  // every second. A real backend may use the mfa.challenge.* webhooks instead.
  while (run === polling) {
    const s = await api<Status>('GET', `sign-in/${encodeURIComponent(challengeId)}?wait=${WAIT}`).catch(() => undefined);
    if (run !== polling) return;
    if (s && s.status !== 'pending') {
      $('waiting').hidden = true;
      const [text, kind] = ended(s);
      return outcome(text, kind, s.status);
    }
    // Only after a failed request: a pending answer comes back at the end of a wait, never at once.
    if (!s) await new Promise((r) => setTimeout(r, 1000));
  }
}

$<HTMLFormElement>('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  const userId = $<HTMLInputElement>('user').value.trim();
  $('outcome').hidden = true;
  $('enrollment').hidden = true;
  $('waiting').hidden = true;
  $('code').textContent = '';
  polling++;
  api<{ challengeId: string; code: string; expiresAt: string; answerMode: string }>('POST', 'sign-in', { userId }).then(
    (c) => {
      // Number matching (the weaker opt-in mode): the device shows three numbers and the user picks this one.
      const picking = c.answerMode === 'numberMatching';
      $('instruction').textContent = picking ? 'Open your authenticator and pick this number among the three it shows:' : 'Open your authenticator and type this code:';
      $('code').dataset.answerMode = c.answerMode;
      $('code').textContent = c.code;
      $('expires').textContent = new Date(c.expiresAt).toLocaleTimeString();
      $('waiting').hidden = false;
      void poll(c.challengeId, ++polling);
    },
    (err: unknown) => outcome(failure(err), 'error'),
  );
});

$('add-device').addEventListener('click', () => {
  const userId = $<HTMLInputElement>('user').value.trim();
  if (!userId) return outcome('Type the user first.', 'error');
  api<{ uri: string; link: string; expiresAt: string }>('POST', 'enroll', { userId }).then(
    (e) => {
      $<HTMLAnchorElement>('enroll-link').href = e.link;
      $('enroll-uri').textContent = e.uri;
      $('enroll-expires').textContent = new Date(e.expiresAt).toLocaleTimeString();
      $('enrollment').hidden = false;
    },
    (err: unknown) => outcome(failure(err), 'error'),
  );
});
document.body.dataset.ready = 'true';
