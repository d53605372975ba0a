/**
 * The reference authenticator's page: enroll this browser, then review a sign-in request,
 * type the code shown on the login screen and approve, deny or report it. Text from the
 * server (the login's context is the customer's, and could be anyone's) is set as text,
 * never as HTML.
 */
import { describe, fetchDetails, Problem, sendAnswer, type ChallengeResult, type Decision } from './api.ts';
import { listStoredDevices, loadDevice, type StoredDevice } from './device.ts';
import { enroll, missingFeature, parseTicket, workerRegistration } from './enroll.ts';
import { showOtps } from './otp-page.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function say(id: string, text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
  const el = $(id);
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = text === '';
}

const problemText = (err: unknown) => (err instanceof Problem ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err));

async function showDevices(): Promise<void> {
  const list = $('devices');
  list.replaceChildren();
  for (const d of await listStoredDevices()) {
    const li = document.createElement('li');
    li.textContent = `${d.name}: app ${d.appId}, enrolled ${new Date(d.enrolledAt).toLocaleString()}`;
    list.append(li);
  }
  $('no-devices').hidden = list.childElementCount > 0;
}

/** Requests the worker showed and the user has not opened yet. */
async function showPending(): Promise<void> {
  const list = $('pending');
  list.replaceChildren();
  const registration = await navigator.serviceWorker.getRegistration('/authenticator/');
  for (const n of (await registration?.getNotifications()) ?? []) {
    const data = n.data as { url?: string; challengeId?: string } | null;
    if (!data?.challengeId || !data.url) continue;
    const a = document.createElement('a');
    a.href = data.url;
    a.textContent = `${n.title}: ${n.body}`;
    const li = document.createElement('li');
    li.append(a);
    list.append(li);
  }
  $('pending-section').hidden = list.childElementCount === 0;
}

function resultText(r: ChallengeResult, appName: string): { text: string; kind: 'ok' | 'error' } {
  if (r.status === 'approved') return { text: `Approved. You can go back to ${appName}.`, kind: 'ok' };
  if (r.reason === 'wrong_code') return { text: 'Wrong code: this sign-in was refused. Start again on the login screen and type the code it shows.', kind: 'error' };
  if (r.reason === 'fraud') return { text: `Reported. Sign-in by push is locked for your account until ${appName} unlocks it.`, kind: 'error' };
  if (r.status === 'locked') return { text: `Too many failures: sign-in by push is locked until ${appName} unlocks it.`, kind: 'error' };
  if (r.status === 'denied') return { text: 'Denied. Nobody was signed in.', kind: 'ok' };
  return { text: `This request is ${r.status}.`, kind: 'error' };
}

/**
 * Number matching (the app's weaker opt-in mode, docs/mfa.md#number-matching): three buttons
 * in place of the code field, one of them the login screen's number; tapping one approves
 * with it, so there is no Approve button.
 */
function showChoices(numbers: string[]): void {
  $('code-entry').hidden = true;
  $<HTMLInputElement>('code').required = false;
  $('approve').hidden = true;
  const buttons = $('choice-buttons');
  buttons.replaceChildren();
  for (const n of numbers) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'choice';
    b.dataset.number = n;
    b.textContent = n;
    buttons.append(b);
  }
  $('choices').hidden = false;
}

async function openRequest(appId: string, challengeId: string): Promise<void> {
  $('request').hidden = false;
  const device = await loadDevice(appId);
  if (!device) return say('request-status', 'This browser has no key for this app: enroll it first.', 'error');
  let appName = 'the app';
  try {
    const details = await fetchDetails(device, challengeId);
    const { context } = details;
    appName = context.appName ?? appName;
    const { title } = describe(context);
    $('request-title').textContent = title;
    const facts: [string, string | undefined][] = [['From', context.location], ['Address', context.ip], ['Browser', context.userAgent], ['Expires', new Date(details.expiresAt).toLocaleTimeString()]];
    const dl = $('request-context');
    dl.replaceChildren();
    for (const [k, v] of facts) {
      if (!v) continue;
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    }
    $('answer').hidden = false;
    if (details.answerMode === 'numberMatching' && details.numbers) showChoices(details.numbers);
    else $<HTMLInputElement>('code').focus();
  } catch (err) {
    return say('request-status', `This request cannot be answered: ${problemText(err)}`, 'error');
  }
  const form = $<HTMLFormElement>('answer');
  const answer = async (decision: Decision, picked?: string) => {
    const code = picked ?? $<HTMLInputElement>('code').value.trim();
    if (decision === 'approve' && !/^[0-9]{6,8}$/.test(code)) return say('request-status', 'Type the code shown on the login screen (6 digits).', 'error');
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    try {
      const r = await sendAnswer(device, challengeId, decision, decision === 'approve' ? code : undefined);
      const { text, kind } = resultText(r, appName);
      say('request-status', text, kind);
      $('request').dataset.status = r.status;
      $('request').dataset.reason = r.reason ?? '';
      form.hidden = true;
      const n = await (await navigator.serviceWorker.getRegistration('/authenticator/'))?.getNotifications({ tag: challengeId });
      for (const x of n ?? []) x.close();
    } catch (err) {
      say('request-status', problemText(err), 'error');
      for (const b of form.querySelectorAll('button')) b.disabled = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void answer('approve');
  });
  for (const b of $('choice-buttons').querySelectorAll<HTMLButtonElement>('button.choice')) b.addEventListener('click', () => void answer('approve', b.dataset.number));
  $('deny').addEventListener('click', () => void answer('deny'));
  $('fraud').addEventListener('click', () => void answer('fraud'));
}

async function main(): Promise<void> {
  const missing = missingFeature();
  if (missing) return say('status', `This browser lacks ${missing}, which the authenticator needs.`, 'error');
  await workerRegistration();
  const params = new URLSearchParams(location.search);
  const appId = params.get('app');
  const challengeId = params.get('challenge');
  if (appId && challengeId) await openRequest(appId, challengeId);

  const ticketField = $<HTMLTextAreaElement>('ticket');
  // The enrollment link (/authenticator/#app=…&token=…) fills the form; the fragment never reaches a server log.
  if (parseTicket(location.hash)) {
    ticketField.value = location.hash;
    history.replaceState(null, '', location.pathname + location.search);
  }
  $<HTMLFormElement>('enroll').addEventListener('submit', (e) => {
    e.preventDefault();
    const ticket = parseTicket(ticketField.value);
    if (!ticket) return say('enroll-status', 'Paste the enrollment link or carillon-mfa:// code the login page shows.', 'error');
    const name = $<HTMLInputElement>('name').value.trim() || 'Web authenticator';
    say('enroll-status', 'Enrolling…');
    enroll(ticket, name).then(
      async (d: StoredDevice) => {
        say('enroll-status', `Enrolled as “${d.name}”. Sign-in requests will show here.`, 'ok');
        ticketField.value = '';
        await showDevices();
      },
      (err: unknown) => say('enroll-status', `Enrollment failed: ${problemText(err)}`, 'error'),
    );
  });
  await showDevices();
  await showPending();
  await showOtps();
  document.body.dataset.ready = 'true';
}

void main().catch((err: unknown) => say('status', problemText(err), 'error'));
