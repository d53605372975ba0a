/**
 * The inbox in Chromium, against a real `carillon serve`: threads opened by replies
 * (POST /v1/reply with the token their push carried, from a loopback push subscription)
 * show in the app's inbox; an editor takes one over, sees the user's next reply appear by
 * itself, answers (the thread's next message, author person, pushed to the subscription)
 * and closes it; a viewer reads the threads without the buttons, and is refused by the API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PASSWORD, startFixture, type Fixture } from './fixture.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { withUserProof } from '../support/carillon.ts';

const EDITOR = 'inbox-editor@example.org';
const VIEWER = 'inbox-viewer@example.org';

interface CreatedApp {
  id: string;
  secretKey: string;
  publishableKey: string;
  identitySecret: string;
}

let fixture: Fixture | undefined;
let sink: PushSink | undefined;
const fx = () => fixture!;

describe('the inbox in Chromium', () => {
  let app: CreatedApp;
  let sinkId = '';
  const threads: { id: string; token: string }[] = [];

  before(async () => {
    fixture = await startFixture();
    sink = await startPushSink();
  });
  after(async () => {
    await fixture?.close();
    await sink?.close();
  });

  const adminKey = () => {
    const key = /Admin key: (crl_ak_\S+)/.exec(fx().server.output())?.[1];
    assert.ok(key, 'the first start prints the admin key');
    return key;
  };
  async function call(method: string, path: string, body?: unknown, key: string | null = app.secretKey): Promise<{ status: number; body: any }> {
    const res = await fetch(`${fx().server.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  /** Waits (bounded) for the subscription's n-th push, as its Declarative Web Push JSON. */
  async function nthPush(n: number): Promise<any> {
    const received = sink!.receivedFor(sinkId);
    if (received.length < n) await sink!.waitFor(sink!.received.length + n - received.length, 20_000);
    const pushes = sink!.receivedFor(sinkId);
    assert.ok(pushes.length >= n, `${pushes.length} pushes of ${n}`);
    return pushes[n - 1]!.json;
  }
  const reply = (token: string, text: string) => call('POST', '/v1/reply', { token, text, clientId: randomUUID() }, null);

  test('two answerable notifications open two threads; a reply to each puts it before a person', async () => {
    const made = await call('POST', '/v1/apps', { name: 'Parcels' }, adminKey());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    for (const [email, role] of [[EDITOR, 'editor'], [VIEWER, 'viewer']]) {
      assert.equal((await call('POST', '/v1/operators', { email, password: PASSWORD }, adminKey())).status, 201);
      assert.equal((await call('POST', `/v1/apps/${app.id}/members`, { email, role }, adminKey())).status, 200);
    }
    const s = sink!.subscribe();
    sinkId = s.id;
    const sub = await call('POST', `/v1/apps/${app.id}/subscriptions`, withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: 'ana' }), app.publishableKey);
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    for (const [i, title] of ['Your parcel ships today', 'Your appointment is confirmed'].entries()) {
      // The app's server has no webhook endpoint: a reply waits for a person (docs/conversations.md#flow).
      const sent = await call('POST', `/v1/apps/${app.id}/notifications`, { to: { subscriptionIds: [sub.body.id] }, title, body: 'Questions? Reply here.', reply: { placeholder: 'Ask us anything', assistant: 'webhook' } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const { conversationId, token } = (await nthPush(i + 1)).notification.data.reply;
      threads.push({ id: conversationId, token });
    }
    const first = await reply(threads[0]!.token, 'Where is my parcel?');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.state, 'waiting_for_person');
    assert.equal((await reply(threads[1]!.token, 'Can I come on Friday?')).status, 200);
  });

  test('an editor finds the thread in the inbox, takes it over, sees the next reply come in, answers it (pushed) and closes it', async () => {
    const { page } = fx();
    await fx().signIn(EDITOR);
    await page.goto(`${fx().server.url}/dashboard/apps/${app.id}`);
    await page.getByRole('navigation', { name: 'The app’s pages' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Waiting for a person' }).getAttribute('aria-pressed'), 'true', 'the threads waiting for a person come first');
    const rows = page.getByRole('region', { name: 'Inbox' }).locator('tbody tr');
    await rows.first().waitFor();
    assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), ['Your appointment is confirmed', 'Your parcel ships today'], 'newest first');
    assert.match(await rows.nth(1).innerText(), /ana\s+Waiting for a person\s+No one/);
    await fx().checkAccessibility('the inbox');
    await fx().screenshot('inbox');

    await page.getByRole('link', { name: 'Your parcel ships today' }).click();
    await page.getByRole('heading', { name: 'Your parcel ships today', level: 1 }).waitFor();
    const messages = page.locator('.thread-message');
    await messages.first().waitFor();
    assert.match(await messages.first().innerText(), /^User\s.+\nWhere is my parcel\?$/s);
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('You hold this conversation: the assistant does not answer it.').waitFor();
    assert.match(await page.locator('.facts').innerText(), new RegExp(`Held by\\s+${EDITOR.replace('.', '\\.')}`));

    // The user writes again: the open thread shows it without a reload (it reads itself again every few seconds).
    assert.equal((await reply(threads[0]!.token, 'It said Tuesday.')).status, 200);
    await page.locator('.thread-message', { hasText: 'It said Tuesday.' }).waitFor({ timeout: 20_000 });

    await page.getByLabel('Your answer').fill('Hello Ana, it left the depot this morning.');
    await fx().checkAccessibility('a thread taken over, with an answer typed');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.thread-person', { hasText: 'Hello Ana, it left the depot this morning.' });
    await answer.waitFor();
    assert.match(await answer.locator('.thread-meta').innerText(), new RegExp(`^Person ${EDITOR.replace('.', '\\.')} `), 'the answer names the person who wrote it');
    assert.equal(await page.getByLabel('Your answer').inputValue(), '', 'the box is emptied once sent');
    const stored = (await call('GET', `/v1/apps/${app.id}/conversations/${threads[0]!.id}`)).body;
    assert.deepEqual(stored.messages.map((m: any) => [m.seq, m.author, m.text]), [
      [1, 'user', 'Where is my parcel?'],
      [2, 'user', 'It said Tuesday.'],
      [3, 'person', 'Hello Ana, it left the depot this morning.'],
    ]);
    assert.equal(stored.assignee.email, EDITOR);
    const pushed = await nthPush(3);
    assert.equal(pushed.notification.body, 'Hello Ana, it left the depot this morning.');
    assert.equal(pushed.notification.tag, threads[0]!.id, 'pushed into the same thread');
    await fx().screenshot('inbox-thread');

    // The app's server cannot answer over the person.
    const server = await call('POST', `/v1/apps/${app.id}/conversations/${threads[0]!.id}/messages`, { text: 'A bot answer' });
    assert.equal(server.body.code, 'conversation_held');

    await page.getByRole('link', { name: 'Back to the inbox' }).click();
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.getByRole('region', { name: 'Inbox' }).getByRole('link', { name: 'Your parcel ships today' }).click();
    await page.getByRole('heading', { name: 'Your parcel ships today', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('dialog', { name: 'Close the conversation' }).getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('This conversation is closed.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Take over' }).count(), 0);
    assert.equal((await call('GET', `/v1/apps/${app.id}/conversations/${threads[0]!.id}`)).body.state, 'closed');
    assert.equal((await reply(threads[0]!.token, 'Thanks')).body.code, 'conversation_closed');
    // Closing let go of the hold: the thread is under Closed, no longer under Mine.
    await page.getByRole('link', { name: 'Back to the inbox' }).click();
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.getByText('No conversation here.').waitFor();
    await page.getByRole('button', { name: 'Closed', exact: true }).click();
    await page.getByRole('region', { name: 'Inbox' }).getByRole('link', { name: 'Your parcel ships today' }).waitFor();
    await fx().signOut();
  });

  test('a viewer reads a waiting thread without the buttons, its earlier messages on demand; the API refuses them the take-over', async () => {
    const { page } = fx();
    // 101 answers after the user's reply: the page shows the thread's last 100 messages, the reply is an earlier one.
    for (let i = 1; i <= 101; i++) assert.equal((await call('POST', `/v1/apps/${app.id}/conversations/${threads[1]!.id}/messages`, { text: `Answer ${i}` })).status, 201);
    await fx().signIn(VIEWER);
    await page.goto(`${fx().server.url}/dashboard/apps/${app.id}/inbox`);
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Inbox' }).getByRole('link', { name: 'Your appointment is confirmed' }).click();
    await page.getByRole('heading', { name: 'Your appointment is confirmed', level: 1 }).waitFor();
    await page.locator('.thread-message', { hasText: 'Answer 101' }).waitFor();
    assert.equal(await page.locator('.thread-message').count(), 100);
    assert.equal(await page.locator('.thread-message', { hasText: 'Can I come on Friday?' }).count(), 0);
    await page.getByRole('button', { name: 'Show earlier messages' }).click();
    await page.locator('.thread-message', { hasText: 'Can I come on Friday?' }).waitFor();
    assert.equal(await page.locator('.thread-message').count(), 102);
    assert.equal(await page.getByRole('button', { name: 'Show earlier messages' }).count(), 0, 'the thread’s first message is shown');
    // New answers push the refreshed page (the last 100) past what was opened: the messages between are read, nothing opened is lost.
    for (let i = 102; i <= 104; i++) assert.equal((await call('POST', `/v1/apps/${app.id}/conversations/${threads[1]!.id}/messages`, { text: `Answer ${i}` })).status, 201);
    await page.locator('.thread-message', { hasText: 'Answer 104' }).waitFor();
    const texts = await page.locator('.thread-message').evaluateAll((lis) => lis.map((li) => li.textContent ?? ''));
    assert.equal(texts.length, 105);
    assert.match(texts[0]!, /Can I come on Friday\?/);
    assert.deepEqual(texts.slice(1).map((t) => /Answer (\d+)/.exec(t)?.[1]), Array.from({ length: 104 }, (_, i) => String(i + 1)), 'every answer once, in order');
    // A slot the user tapped shows as their message, marked as a tapped button.
    assert.equal((await call('POST', `/v1/apps/${app.id}/conversations/${threads[1]!.id}/messages`, { text: 'Pick a slot:', actions: [{ action: 'slot:fri-9', title: 'Fri 9:00' }] })).status, 201);
    const tapped = await call('POST', '/v1/reply', { token: threads[1]!.token, text: 'Fri 9:00', choice: 'slot:fri-9', clientId: randomUUID() }, null);
    assert.equal(tapped.status, 200, JSON.stringify(tapped.body));
    await page.locator('.thread-user .thread-text', { hasText: 'Fri 9:00 (a tapped button)' }).waitFor();
    await page.getByText('Editors and owners of the app take conversations over and answer them.').waitFor();
    for (const name of ['Take over', 'Hand back to the assistant', 'Close', 'Send']) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
    const refused = await fx().fetchInPage('POST', `/v1/apps/${app.id}/conversations/${threads[1]!.id}/take-over`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'role_forbidden');
    const after = (await call('GET', `/v1/apps/${app.id}/conversations/${threads[1]!.id}`)).body;
    assert.equal(after.assignee, null);
    assert.equal(after.state, 'waiting_for_person');

    // In French, the same page.
    await page.getByLabel('Language').selectOption('fr');
    await page.getByText('Les éditeurs et les propriétaires de l’app prennent les conversations en charge et y répondent.').waitFor();
    await fx().checkAccessibility('a thread, read by a viewer, in French');
    await page.getByLabel('Langue').selectOption('en');
    await fx().signOut();
  });
});
