/**
 * The result pages, over activity made through the API: a campaign sent to loopback push
 * subscriptions (test/support/push-sink.ts) with displays, clicks and a conversion reported
 * as the SDK would, then its page (the funnel the API answers, a chart, its variants, who
 * was left out and why), pause, resume and cancel from the page, the app's analytics and
 * their CSV, and webhook endpoints with their secret shown once; a viewer sees nothing to
 * change; axe at both widths on each page; the screenshots of docs/screenshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PASSWORD, type Fixture } from '../fixture.ts';
import { startPushSink, type PushSink } from '../../support/push-sink.ts';
import { withUserProof } from '../../support/carillon.ts';

// Operators of their own: the foundation's have spent most of their sign-in attempts.
const OWNER = 'florist-owner@example.org';
const VIEWER = 'florist-viewer@example.org';
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'];

interface CreatedApp {
  id: string;
  secretKey: string;
  publishableKey: string;
  identitySecret: string;
}

export function resultsSuite(fx: () => Fixture): void {
  let app: CreatedApp;
  let sink: PushSink | undefined;
  let sentId = '';
  let scheduledId = '';
  const subs = new Map<string, string>();

  /** A call of the API with the app's secret key, as the operator's server makes it. */
  async function api(method: string, path: string, body?: unknown, key = app.secretKey): Promise<{ status: number; body: any }> {
    const res = await fetch(`${fx().server.url}/v1/apps/${app.id}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  /** A call with the admin key the first start printed, as an installation's script makes it. */
  async function admin(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
    const key = /Admin key: (crl_ak_\S+)/.exec(fx().server.output())?.[1];
    assert.ok(key, 'the first start prints the admin key');
    const res = await fetch(`${fx().server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  const signIn = (email: string) => fx().signIn(email);
  const signOut = () => fx().signOut();
  const open = (path: string) => fx().page.goto(`${fx().server.url}/dashboard/apps/${app.id}${path}`);

  test('a campaign is sent to loopback subscriptions, and browsers report displays, clicks and a purchase', async () => {
    const made = await admin('POST', '/v1/apps', { name: 'Florist' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    for (const [email, role] of [[OWNER, 'owner'], [VIEWER, 'viewer']]) {
      assert.equal((await admin('POST', '/v1/operators', { email, password: PASSWORD })).status, 201);
      assert.equal((await admin('POST', `/v1/apps/${app.id}/members`, { email, role })).status, 200);
    }
    await signIn(OWNER);
    sink = await startPushSink();
    for (const u of USERS) {
      const s = sink.subscribe();
      const res = await api('POST', '/subscriptions', withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }), app.publishableKey);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subs.set(u, res.body.id);
      assert.equal((await api('PUT', `/users/${u}`, { attributes: { plan: 'pro' } })).status, 200);
    }
    // u5 turned promotions off: matched, left out as suppressed.
    assert.equal((await api('PUT', '/users/u5/preferences', { promotions: false })).status, 200);
    const campaign = await api('POST', '/campaigns', {
      name: 'Spring bouquets',
      audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } },
      category: 'promotions',
      content: { en: { title: 'Tulips are here' } },
      variants: { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1, content: { en: { title: 'Tulips, 10% off' } } }] },
      conversion: { events: ['purchase'], windowHours: 24 },
    });
    assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
    sentId = campaign.body.id;
    assert.equal((await api('POST', `/campaigns/${sentId}/launch`)).status, 200);
    await sink.waitFor(4, 20_000);
    let sent: any[] = [];
    for (let i = 0; i < 400 && sent.length < 4; i++) {
      sent = (await api('GET', `/campaigns/${sentId}/recipients?reason=sent`)).body.data;
      if (sent.length < 4) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(sent.length, 4);
    const wave = sent[0].notificationId as string;
    const report = await api('POST', '/events', { events: [...['u1', 'u2', 'u3', 'u4'].map((u) => ({ type: 'displayed', notificationId: wave, subscriptionId: subs.get(u) })), ...['u1', 'u2'].map((u) => ({ type: 'clicked', notificationId: wave, subscriptionId: subs.get(u) }))] }, app.publishableKey);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.accepted, 6, JSON.stringify(report.body));
    const track = await api('POST', '/track', { events: [{ userId: 'u1', name: 'purchase', properties: { value: 42.5 } }] });
    assert.equal(track.status, 200, JSON.stringify(track.body));
    // One not yet begun, to pause, resume and cancel.
    const later = await api('POST', '/campaigns', { name: 'Summer roses', audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } }, content: { en: { title: 'Roses' } }, schedule: { at: new Date(Date.now() + 86_400_000).toISOString() } });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    scheduledId = later.body.id;
    assert.equal((await api('POST', `/campaigns/${scheduledId}/launch`)).body.status, 'scheduled');
  });

  test('the campaigns list shows each status and its sent, clicked and click rate', async () => {
    const { page } = fx();
    await open('/campaigns');
    const row = page.getByRole('row', { name: /Spring bouquets/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(1, 5), ['Completed', '4', '2', '50%']);
    await page.getByRole('row', { name: /Summer roses/ }).getByText('Scheduled').waitFor();
    await fx().checkAccessibility('campaigns');
  });

  test('a campaign’s page shows the funnel the API answers, a chart, its variants and who was left out', async () => {
    const { page } = fx();
    const own = await api('GET', `/campaigns/${sentId}/analytics?interval=hour`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const f = own.body.funnel;
    assert.deepEqual([f.targeted, f.sent, f.delivered, f.displayed, f.clicked, f.converted], [4, 4, 4, 4, 2, 1], 'the API counts what was planted');
    await page.getByRole('link', { name: 'Spring bouquets' }).click();
    await page.getByRole('heading', { name: 'Spring bouquets', level: 1 }).waitFor();
    const pages = page.getByRole('navigation', { name: 'The app’s pages' });
    assert.equal(await pages.getByRole('link', { name: 'Campaigns' }).getAttribute('aria-current'), 'page');
    assert.equal(await pages.getByRole('link', { name: 'Settings' }).getAttribute('aria-current'), null, 'the app’s own page is not the current one');
    const funnel = page.locator('.funnel');
    await funnel.waitFor();
    for (const [step, label] of [['targeted', 'Targeted'], ['sent', 'Sent'], ['delivered', 'Delivered'], ['displayed', 'Displayed'], ['clicked', 'Clicked'], ['converted', 'Converted']] as const) {
      const box = funnel.locator(`[data-step="${step}"]`);
      assert.equal(await box.locator('dt').innerText(), label);
      assert.equal(await box.locator('dd.figure').innerText(), String(f[step]), step);
    }
    assert.equal(await funnel.locator('[data-step="clicked"] .share').innerText(), '50% of the step before');
    // The chart: a canvas drawn by uPlot, and its legend's totals are the series' totals.
    await page.locator('.chart-canvas canvas').first().waitFor();
    assert.ok((await page.locator('.chart-canvas canvas').first().boundingBox())!.width > 300);
    await page.getByRole('listitem').filter({ hasText: 'Clicked: 2' }).waitFor();
    // Variants as GET .../campaigns/{id} counts them.
    const counts = (await api('GET', `/campaigns/${sentId}`)).body.counts;
    for (const v of counts.variants) {
      const cells = await page.getByRole('row', { name: new RegExp(`^${v.id}\\b`) }).getByRole('cell').allInnerTexts();
      assert.deepEqual(cells.slice(0, 3), [String(v.sent), String(v.displayed), String(v.clicked)]);
    }
    await page.getByText('No A/B decision (yet).').waitFor();
    // Left out: the first reason with anyone, u5 who turned promotions off.
    assert.equal(await page.getByLabel('Why').inputValue(), 'suppressed');
    await page.getByRole('option', { name: 'Category turned off (1)' }).waitFor({ state: 'attached' });
    await page.getByRole('cell', { name: 'u5', exact: true }).waitFor();
    // A completed campaign has nothing to pause or cancel.
    assert.equal(await page.getByRole('button', { name: /Pause|Cancel the campaign|Resume/ }).count(), 0);
    await fx().checkAccessibility('campaign');
    await fx().screenshot('campaign');
  });

  test('pause, resume and cancel from the page, each confirmed, change the campaign’s status', async () => {
    const { page } = fx();
    await open(`/campaigns/${scheduledId}`);
    const status = page.getByTestId('campaign-status');
    await status.getByText('Scheduled').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 0, 'only what the status allows');
    await page.getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('not yet begun are held').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await api('GET', `/campaigns/${scheduledId}`)).body.status, 'scheduled', 'nothing without confirmation');
    await page.getByRole('button', { name: 'Pause' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await status.getByText('Paused').waitFor();
    assert.equal((await api('GET', `/campaigns/${scheduledId}`)).body.status, 'paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // Its held wave is due again: running, as the API says.
    await status.getByText('Running').waitFor();
    assert.equal((await api('GET', `/campaigns/${scheduledId}`)).body.status, 'running');
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 0);
    await page.getByRole('button', { name: 'Cancel the campaign' }).click();
    await dialog.getByText('cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await status.getByText('Cancelled').waitFor();
    assert.equal((await api('GET', `/campaigns/${scheduledId}`)).body.status, 'cancelled');
    assert.equal(await page.getByRole('button', { name: /Pause|Resume|Cancel the campaign/ }).count(), 0);
  });

  test('a notification’s page shows its own funnel', async () => {
    const { page } = fx();
    const wave = (await api('GET', `/campaigns/${sentId}/recipients?reason=sent`)).body.data[0].notificationId as string;
    const own = (await api('GET', `/notifications/${wave}/analytics`)).body.funnel;
    await open(`/notifications/${wave}`);
    await page.getByRole('heading', { name: `Notification ${wave}` }).waitFor();
    assert.equal(await page.locator('.funnel [data-step="clicked"] dd.figure').innerText(), String(own.clicked));
    await page.locator('.chart-canvas canvas').first().waitFor();
    await fx().checkAccessibility('notification');
  });

  test('analytics show the app’s series by campaign, and the CSV downloaded holds the same numbers', async () => {
    const { page } = fx();
    await open('/analytics');
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.getByLabel('By').selectOption('campaign');
    const row = page.locator('table.totals tbody tr').filter({ has: page.getByRole('rowheader', { name: sentId }) });
    await row.waitFor();
    const shown = Object.fromEntries(await row.locator('td').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-metric'), td.textContent])));
    assert.deepEqual(shown, { delivered: '4', displayed: '4', clicked: '2', click_rate: '50%' });
    await page.locator('.chart-canvas canvas').first().waitFor();
    // The opt-in funnel is there too (no prompt was reported here).
    await page.getByRole('heading', { name: 'Opt-in funnel' }).waitFor();
    await fx().checkAccessibility('analytics');
    await fx().screenshot('analytics');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'start,group,delivered,displayed,clicked,click_rate');
    const mine = lines.slice(1).map((l) => l.split(',')).filter((cells) => cells[1] === sentId);
    const sum = (i: number) => mine.reduce((a, cells) => a + Number(cells[i] || 0), 0);
    assert.deepEqual([sum(2), sum(3), sum(4)], [4, 4, 2], 'the CSV’s rows add up to the totals shown');
  });

  test('a webhook endpoint created on the page shows its secret once; it is disabled, rotated with its grace period, and deleted', async () => {
    const { page } = fx();
    await open('/webhooks');
    await page.getByText('No endpoint yet.').waitFor();
    await page.getByLabel('URL').fill('ftp://hooks.example.org/carillon');
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    const error = page.locator('.field-error');
    await error.waitFor();
    assert.ok((await page.getByLabel('URL').getAttribute('aria-describedby'))?.includes((await error.getAttribute('id'))!), 'the refusal is next to its field');
    await page.getByLabel('URL').fill('https://hooks.example.org/carillon');
    await page.getByLabel('All event types').uncheck();
    await page.getByLabel('notification.clicked').check();
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    const secret = page.getByRole('textbox', { name: 'Signing secret' });
    await secret.waitFor();
    assert.match(await secret.inputValue(), /^whsec_/);
    await page.getByText('Shown once: copy it now').waitFor();
    const listed = (await api('GET', '/webhooks')).body.data;
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0].events, ['notification.clicked']);
    assert.equal(JSON.stringify(listed).includes(await secret.inputValue()), false, 'the list never answers the secret');
    await fx().checkAccessibility('webhooks');
    await fx().screenshot('webhooks');
    // Shown once: not after a reload.
    await page.reload();
    await page.getByRole('link', { name: 'https://hooks.example.org/carillon' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Signing secret' }).count(), 0);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    assert.equal((await api('GET', '/webhooks')).body.data[0].enabled, false);
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('for 24 hours').waitFor();
    await dialog.getByLabel('Grace period (hours)').fill('2');
    await dialog.getByText('for 2 hours').waitFor();
    // The old secret's end, as the page formats it, two hours from now (to the minute).
    const expected = await page.evaluate(() => [0, 1, 2].map((m) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(Date.now() + 2 * 3_600_000 + m * 60_000))));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const rotated = page.getByRole('textbox', { name: 'New secret' });
    await rotated.waitFor();
    assert.match(await rotated.inputValue(), /^whsec_/);
    const until = /until (.+)\.$/.exec(await page.locator('.endpoint .hint').innerText());
    assert.ok(until && expected.includes(until[1]!), `the grace period’s end is shown: ${until?.[1]} in ${expected.join(' | ')}`);
    // The delivery log of the endpoint: none yet, on its own page.
    await page.getByRole('link', { name: 'https://hooks.example.org/carillon' }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await page.getByText('No message yet.').waitFor();
    await fx().checkAccessibility('webhook delivery log');
    await page.goBack();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No endpoint yet.').waitFor();
    assert.equal((await api('GET', '/webhooks')).body.data.length, 0);
  });

  test('an endpoint’s delivery log shows each message with its status, attempt and duration; one message or a range is replayed', async () => {
    const { page } = fx();
    const received: { id: string; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ id: String(req.headers['webhook-id']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      await open('/webhooks');
      await page.getByLabel('URL').fill(url);
      await page.getByRole('button', { name: 'Add the endpoint' }).click();
      await page.getByRole('textbox', { name: 'Signing secret' }).waitFor();
      // What happens from now on reaches it: a browser reports a dismissal.
      const wave = (await api('GET', `/campaigns/${sentId}/recipients?reason=sent`)).body.data[0];
      assert.equal((await api('POST', '/events', { events: [{ type: 'dismissed', notificationId: wave.notificationId, subscriptionId: wave.subscriptionId }] }, app.publishableKey)).status, 200);
      for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(received.length, 1, 'the endpoint got the event');
      assert.match(received[0]!.body, /notification\.dismissed/);
      await page.getByRole('link', { name: url }).click();
      await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
      const row = page.getByRole('row', { name: new RegExp(received[0]!.id) });
      await row.waitFor();
      const cells = await row.getByRole('cell').allInnerTexts();
      assert.match(cells[0]!, /notification\.dismissed/);
      assert.match(cells[1]!, /^Delivered · HTTP 204/);
      assert.equal(cells[2]!.split('\n')[0], '1', 'one attempt (the cell also opens the attempts one by one)');
      assert.match(cells[3]!, /^\d+ ms$/);
      assert.equal(cells[5], '–', 'no next try once delivered');
      await fx().checkAccessibility('webhook delivery log');
      await row.getByRole('button', { name: `Replay ${received[0]!.id}` }).click();
      await page.getByRole('region', { name: 'Delivery log' }).getByText('1 message(s) will be sent again now.').waitFor();
      for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(received.length, 2, 'replayed');
      assert.equal(received[1]!.body, received[0]!.body);
      // A range: the last hour holds that one message.
      // datetime-local values are in the browser's zone (Europe/Paris here).
      const offset = await page.evaluate(() => new Date().getTimezoneOffset());
      const inPage = (ms: number) => new Date(ms - offset * 60_000).toISOString().slice(0, 16);
      await page.getByLabel('From', { exact: true }).fill(inPage(Date.now() - 3_600_000));
      await page.getByLabel('To', { exact: true }).fill(inPage(Date.now() + 60_000));
      await page.getByRole('button', { name: 'Replay the range' }).click();
      await page.getByRole('region', { name: 'Replay a time range' }).getByText('1 message(s) will be sent again now.').waitFor();
      for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(received.length, 3, 'the range replayed');
      await page.goBack();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('No endpoint yet.').waitFor();
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  test('a viewer sees the results and no button to pause, cancel or create', async () => {
    const { page } = fx();
    await signOut();
    await signIn(VIEWER);
    await open(`/campaigns/${sentId}`);
    await page.locator('.funnel').waitFor();
    await open('/campaigns');
    await page.getByRole('link', { name: 'Spring bouquets' }).waitFor();
    const again = await api('POST', '/campaigns', { name: 'Autumn', audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } }, content: { en: { title: 'Leaves' } }, schedule: { at: new Date(Date.now() + 86_400_000).toISOString() } });
    assert.equal((await api('POST', `/campaigns/${again.body.id}/launch`)).body.status, 'scheduled');
    await open(`/campaigns/${again.body.id}`);
    await page.getByTestId('campaign-status').getByText('Scheduled').waitFor();
    assert.equal(await page.getByRole('button', { name: /Pause|Resume|Cancel the campaign/ }).count(), 0);
    // What is not shown is refused all the same, with the viewer's cookie and CSRF token.
    const forged = await fx().fetchInPage('POST', `/v1/apps/${app.id}/campaigns/${again.body.id}/pause`);
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'role_forbidden');
    assert.equal((await api('GET', `/campaigns/${again.body.id}`)).body.status, 'scheduled');
    await open('/webhooks');
    await page.getByText('Owners of the app manage its webhooks').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add the endpoint' }).count(), 0);
    await open('/analytics');
    await page.getByRole('heading', { name: 'Opt-in funnel' }).waitFor();
    await fx().checkAccessibility('analytics, as a viewer');
    await signOut();
    await sink?.close();
  });

  test('failed is one number on the campaign’s page, its wave’s page and the notifications list; its waves are linked; clicks by button on both pages', async () => {
    const { page } = fx();
    const made = await admin('POST', '/v1/apps', { name: 'Greengrocer' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const grocer: CreatedApp = made.body;
    assert.equal((await admin('POST', `/v1/apps/${grocer.id}/members`, { email: OWNER, role: 'owner' })).status, 200);
    const call = async (method: string, path: string, body?: unknown, key = grocer.secretKey) => {
      const res = await fetch(`${fx().server.url}/v1/apps/${grocer.id}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const grocerSink = await startPushSink();
    try {
      // g1 and g4 get it, g2's push service refuses it for good (failed), g3's device is gone (pruned).
      const ids = new Map<string, string>();
      for (const u of ['g1', 'g2', 'g3', 'g4']) {
        const s = grocerSink.subscribe();
        if (u === 'g2') grocerSink.respondWith(s.endpoint, [{ status: 400, body: 'bad request' }]);
        if (u === 'g3') grocerSink.gone(s.endpoint);
        const res = await call('POST', '/subscriptions', withUserProof(grocer, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }), grocer.publishableKey);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ids.set(u, res.body.id);
      }
      const campaign = await call('POST', '/campaigns', { name: 'Apples', audience: { filter: { channel: 'webpush' } }, content: { en: { title: 'Apples are in', actions: [{ action: 'buy', title: 'Buy' }, { action: 'later', title: 'Later' }] } } });
      assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
      assert.equal((await call('POST', `/campaigns/${campaign.body.id}/launch`)).status, 200);
      let wave: { id: string; status: string } | undefined;
      for (let i = 0; i < 400 && wave?.status !== 'completed'; i++) {
        wave = (await call('GET', `/notifications?campaignId=${campaign.body.id}`)).body.data[0];
        if (wave?.status !== 'completed') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(wave?.status, 'completed');
      const own = (await call('GET', `/notifications/${wave.id}`)).body.counts;
      assert.deepEqual([own.failed, own.pruned], [1, 1], 'one refused, one gone');
      // g1 chose both buttons (one recipient who clicked), g4 one.
      const events = [['g1', 'buy'], ['g1', 'later'], ['g4', 'buy']].map(([u, action]) => ({ type: 'clicked', notificationId: wave.id, subscriptionId: ids.get(u!), action }));
      assert.equal((await call('POST', '/events', { events }, grocer.publishableKey)).body.accepted, 3);

      await signIn(OWNER);
      await page.goto(`${fx().server.url}/dashboard/apps/${grocer.id}/campaigns/${campaign.body.id}`);
      await page.getByRole('heading', { name: 'Apples', level: 1 }).waitFor();
      await page.getByTestId('campaign-failed').filter({ hasText: /^1$/ }).waitFor();
      const waves = page.getByTestId('campaign-waves');
      await waves.waitFor();
      const cells = await waves.locator('tbody tr').first().locator('th, td').allInnerTexts();
      assert.deepEqual([cells[0], cells[1], ...cells.slice(3)], ['Wave 1', 'Completed', '4', '2', '1', '0', '2'], 'wave, status, recipients, delivered, failed, displayed, clicked');
      const byButton = async () => (await page.getByTestId('button-clicks').locator('tbody tr').all()).map((r) => r.locator('th, td').allInnerTexts());
      await page.getByTestId('button-clicks').waitFor();
      assert.deepEqual(await Promise.all(await byButton()), [['Buy buy', '2', '100%'], ['Later later', '1', '50%']]);
      assert.equal(await page.getByTestId('unique-clicks').innerText(), '2 recipients clicked, each counted once whatever they clicked.');
      await fx().checkAccessibility('campaign, its waves and clicks by button');

      await waves.getByRole('link', { name: 'Wave 1' }).click();
      await page.getByRole('heading', { name: `Notification ${wave.id}` }).waitFor();
      assert.equal(await page.getByTestId('notification-failed').innerText(), '1');
      await page.getByTestId('button-clicks').waitFor();
      assert.deepEqual(await Promise.all(await byButton()), [['Buy buy', '2', '100%'], ['Later later', '1', '50%']]);

      await page.goto(`${fx().server.url}/dashboard/apps/${grocer.id}/notifications`);
      const row = page.locator('tbody tr', { has: page.locator(`a[href$="/notifications/${wave.id}"]`) });
      await row.waitFor();
      assert.equal((await row.getByRole('cell').allInnerTexts())[6], '1', 'the list’s failed');
      await signOut();
    } finally {
      await grocerSink.close();
    }
  });
}
