/**
 * An app's notifications list (the API's listNotifications): sent to loopback push
 * subscriptions (test/support/push-sink.ts), one refusing, with displays and clicks
 * reported as the SDK does; the list's key figures, its status filter, its pages by cursor
 * and its link to a notification's page, read by a viewer; the campaigns list drawn from
 * the list's own figures (no call per campaign), equal to each campaign's own; and /docs
 * shown under its strict Content-Security-Policy with no violation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, adminKeyOf, PASSWORD, type Fixture } from '../fixture.ts';
import { startPushSink, type PushSink } from '../../support/push-sink.ts';
import { withUserProof } from '../../support/carillon.ts';

// Operators of their own: the other suites' have spent some of their sign-in attempts.
const VIEWER = 'notices-viewer@example.org';
const REMINDERS = 25;

interface CreatedApp {
  id: string;
  secretKey: string;
  publishableKey: string;
  identitySecret: string;
}

export function notificationsSuite(fx: () => Fixture): void {
  let app: CreatedApp;
  let sink: PushSink | undefined;
  let sentId = '';

  const adminKey = () => adminKeyOf(fx());
  const call = (method: string, path: string, body?: unknown, key = app.secretKey) => apiCall(fx(), method, path, body, key);

  test('notifications are sent to loopback subscriptions, one refused; browsers report displays and clicks', async () => {
    const made = await call('POST', '/v1/apps', { name: 'Bookshop' }, adminKey());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    assert.equal((await call('POST', '/v1/operators', { email: VIEWER, password: PASSWORD }, adminKey())).status, 201);
    assert.equal((await call('POST', `/v1/apps/${app.id}/members`, { email: VIEWER, role: 'viewer' }, adminKey())).status, 200);
    sink = await startPushSink();
    const subs = new Map<string, string>();
    for (const u of ['u1', 'u2', 'u3']) {
      const s = sink.subscribe();
      if (u === 'u3') sink.respondWith(s.endpoint, [{ status: 400, body: 'bad request' }]);
      const res = await call('POST', `/v1/apps/${app.id}/subscriptions`, withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }), app.publishableKey);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subs.set(u, res.body.id);
    }
    const sent = await call('POST', `/v1/apps/${app.id}/notifications`, { to: { all: true }, title: 'New arrivals' });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    sentId = sent.body.id;
    let status = '';
    for (let i = 0; i < 400 && status !== 'completed'; i++) {
      status = (await call('GET', `/v1/apps/${app.id}/notifications/${sentId}`)).body.status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 'completed');
    const events = [['displayed', 'u1'], ['displayed', 'u2'], ['clicked', 'u1']].map(([type, u]) => ({ type, notificationId: sentId, subscriptionId: subs.get(u!) }));
    assert.equal((await call('POST', `/v1/apps/${app.id}/events`, { events }, app.publishableKey)).body.accepted, 3);
    // Reminders for tomorrow: newer, so they fill the first page.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    for (let i = 1; i <= REMINDERS; i++) assert.equal((await call('POST', `/v1/apps/${app.id}/notifications`, { to: { all: true }, title: `Reminder ${i}`, sendAt: tomorrow })).status, 202);
    await sink.close();
    sink = undefined;
  });

  test('a viewer reads the notifications, newest first by pages, with their key figures, and opens one', async () => {
    const { page } = fx();
    await fx().signIn(VIEWER);
    await page.goto(`${fx().server.url}/dashboard/apps/${app.id}`);
    await page.getByRole('navigation', { name: 'The app’s pages' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 25);
    assert.deepEqual((await rows.first().getByRole('cell').allInnerTexts()).slice(0, 2), [`Reminder ${REMINDERS}`, 'Scheduled']);
    await fx().checkAccessibility('notifications');
    await page.getByRole('button', { name: 'Next' }).click();
    const arrivals = page.getByRole('row', { name: /New arrivals/ });
    await arrivals.waitFor();
    const cells = await arrivals.getByRole('cell').allInnerTexts();
    assert.deepEqual([cells[1], ...cells.slice(3)], ['Completed', '–', '3', '2', '1', '2', '1', '50%'], 'recipients, delivered, failed, displayed, clicked, click rate');
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('row', { name: new RegExp(`Reminder ${REMINDERS}`) }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await arrivals.waitFor();
    assert.equal(await rows.count(), 1);
    await fx().screenshot('notifications');
    // Nothing on the list changes anything: the only buttons are the header's and the pages'.
    const buttons = await page.locator('main button').allInnerTexts();
    assert.deepEqual(buttons.filter((b) => !['Previous', 'Next'].includes(b)), []);
    await arrivals.getByRole('link', { name: 'New arrivals' }).click();
    await page.getByRole('heading', { name: `Notification ${sentId}` }).waitFor();
    await page.getByText('Completed', { exact: true }).waitFor();
  });

  test('the campaigns list shows the figures its own answer carries, the same as each campaign’s, with no call per campaign', async () => {
    const { page } = fx();
    const apps = await call('GET', '/v1/apps', undefined, adminKey());
    const florist = (apps.body.data as { id: string; name: string }[]).find((a) => a.name === 'Florist');
    assert.ok(florist, 'the results suite made the Florist app');
    const listed = await call('GET', `/v1/apps/${florist.id}/campaigns`, undefined, adminKey());
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok(listed.body.data.length >= 2);
    for (const c of listed.body.data) {
      const own: { recipients: { sent: number }; delivered: number; failed: number; displayed: number; clicked: number } = (await call('GET', `/v1/apps/${florist.id}/campaigns/${c.id}`, undefined, adminKey())).body.counts;
      assert.deepEqual(c.counts, { sent: own.recipients.sent, delivered: own.delivered, failed: own.failed, displayed: own.displayed, clicked: own.clicked }, c.name);
    }
    assert.equal((await call('POST', `/v1/apps/${florist.id}/members`, { email: VIEWER, role: 'viewer' }, adminKey())).status, 200);
    const asked: string[] = [];
    const onRequest = (req: { url(): string }) => asked.push(new URL(req.url()).pathname);
    page.on('request', onRequest);
    try {
      await page.goto(`${fx().server.url}/dashboard/apps/${florist.id}/campaigns`);
      const row = page.getByRole('row', { name: /Spring bouquets/ });
      await row.waitFor();
      assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1, 5), ['Completed', '4', '2', '50%']);
    } finally {
      page.off('request', onRequest);
    }
    assert.deepEqual(asked.filter((p) => p.startsWith('/v1/')), ['/v1/session', `/v1/apps/${florist.id}/campaigns`]);
    await fx().signOut();
  });

  test('/docs shows the API under its strict Content-Security-Policy, with no violation', async () => {
    const { page } = fx();
    const refused: string[] = [];
    const onConsole = (m: { type(): string; text(): string }) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    };
    page.on('console', onConsole);
    try {
      const res = await page.goto(`${fx().server.url}/docs/`);
      assert.match(String(res?.headers()['content-security-policy']), /script-src 'self'; style-src 'self'/);
      // Drawn by its scripts: the operations are there, this one's summary too.
      // Swagger UI draws the whole document at once: slower than a dashboard page.
      await page.getByText('List notifications, newest first, by cursor, with their key figures', { exact: true }).waitFor({ timeout: 30_000 });
    } finally {
      page.off('console', onConsole);
    }
    assert.deepEqual(refused, []);
  });
}
