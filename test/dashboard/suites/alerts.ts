/**
 * An app's civic alerts in the dashboard: an alert posted with the API (JSON form) is
 * listed newest first with its sender, type, severity and whom it reaches, and opened to
 * its detail (its info, area and the reason of its disposition); an editor's composer
 * posts one (a circle) and it is listed, while a refused one (a polygon of two points)
 * shows the API's detail under the field its pointer names and stores nothing; a CAP feed
 * is added (a URL with a password is refused at the URL field), shown with its interval and status,
 * its failed poll shown as the API reports it, and deleted; a viewer sees no composer and
 * no feed form, and their forged post is refused; an owner turns the public page off and
 * maps a CAP category to one of the app's categories, an unknown one refused at its field
 * with nothing changed, while an editor reads the settings with nothing to change. Accessibility at both widths; the
 * screenshots alerts and alert.
 *
 * No clock is needed: the feed's first poll is due at once, and the test waits for it by
 * reading the feed, not by sleeping a fixed time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, adminKeyOf, PASSWORD, type Fixture } from '../fixture.ts';

// Operators of their own: the other suites' have spent some of their sign-in attempts.
const EDITOR = 'alerts-editor@example.org';
const VIEWER = 'alerts-viewer@example.org';
const OWNER = 'alerts-owner@example.org';

const DISPOSITIONS: Record<string, string> = { public: 'The public', testers: 'Testers only', none: 'No one', archived: 'No one (archived)', cancelled: 'Cancelled', replaced: 'Replaced' };
const FEED_STATUSES: Record<string, string> = { pending: 'Pending', ok: 'OK', not_modified: 'Not modified', failed: 'Failed' };

const FLOOD = {
  identifier: 'CITY-2026-001',
  sender: 'ops@city.example',
  sent: '2026-12-01T11:58:00+01:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
  infos: [
    {
      language: 'en',
      categories: ['Met'],
      event: 'Flood',
      urgency: 'Expected',
      severity: 'Moderate',
      certainty: 'Likely',
      headline: 'Flooding on the quay',
      instruction: 'Keep off the lower quay.',
      areas: [{ areaDesc: 'Lower quay', circles: [{ lat: 48.8566, lon: 2.3522, radiusKm: 2 }] }],
    },
  ],
};

interface CreatedApp {
  id: string;
  secretKey: string;
}

export function alertsSuite(fx: () => Fixture): void {
  let app: CreatedApp;

  const adminKey = () => adminKeyOf(fx());
  const call = (method: string, path: string, body?: unknown, key = app.secretKey) => apiCall(fx(), method, path, body, key);
  async function signIn(email: string) {
    await fx().browser.context.clearCookies();
    await fx().signIn(email);
  }
  const url = (path: string) => `${fx().server.url}/dashboard/apps/${app.id}${path}`;
  const alerts = async () => (await call('GET', `/v1/apps/${app.id}/alerts`)).body.data as { identifier: string; disposition: string; infos: { headline: string }[] }[];

  test('an alert posted with the API is listed, newest first, and opened to its detail', async () => {
    const made = await call('POST', '/v1/apps', { name: 'City of Rivers' }, adminKey());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    for (const [email, role] of [[EDITOR, 'editor'], [VIEWER, 'viewer'], [OWNER, 'owner']] as const) {
      assert.equal((await call('POST', '/v1/operators', { email, password: PASSWORD }, adminKey())).status, 201);
      assert.equal((await call('POST', `/v1/apps/${app.id}/members`, { email, role }, adminKey())).status, 200);
    }
    const posted = await call('POST', `/v1/apps/${app.id}/alerts`, FLOOD);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));

    const { page } = fx();
    await signIn(EDITOR);
    await page.goto(url(''));
    await page.getByRole('navigation', { name: 'The app’s pages' }).getByRole('link', { name: 'Civic alerts' }).click();
    await page.getByRole('heading', { name: 'Civic alerts', level: 1 }).waitFor();
    const row = page.getByRole('row', { name: /Flooding on the quay/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.match(cells[0]!, /^Flooding on the quay\s+CITY-2026-001$/);
    assert.match(cells[1]!, /2026/);
    assert.deepEqual(cells.slice(2, 6), ['ops@city.example', 'Alert · Actual', 'Moderate · Expected', DISPOSITIONS[posted.body.disposition]]);
    assert.equal(cells[6], posted.body.notification ? 'Sent as a notification' : '—');
    await page.getByText('No feed yet.').waitFor();
    await fx().checkAccessibility('alerts');

    await row.getByRole('link', { name: 'Flooding on the quay' }).click();
    await page.getByRole('heading', { name: 'Flooding on the quay', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('alert-disposition').innerText(), DISPOSITIONS[posted.body.disposition]);
    assert.equal(await page.getByTestId('alert-reason').innerText(), posted.body.reason);
    await page.getByText('Keep off the lower quay.').waitFor();
    assert.match(await page.getByRole('list', { name: 'Areas' }).innerText(), /^Lower quay ⊙ 48.8566,2.3522 2 km$/);
    await fx().screenshot('alert');
    await fx().checkAccessibility('an alert');
    await page.getByRole('link', { name: 'All alerts' }).click();
    await page.getByRole('heading', { name: 'Civic alerts', level: 1 }).waitFor();
  });

  test('the composer posts an alert, listed first; a refused one shows its field error and stores nothing', async () => {
    const { page } = fx();
    const composer = page.getByRole('region', { name: 'Post an alert' });
    // Refused: a polygon of two points (the schema wants three): the detail under Points, nothing stored.
    await composer.getByLabel('Event', { exact: true }).fill('Gas leak');
    await composer.getByLabel('Area description').fill('Station square');
    await composer.getByLabel('Shape').selectOption('polygon');
    await composer.getByLabel('Points').fill('48.85,2.34 48.86,2.35');
    await composer.getByRole('button', { name: 'Post the alert' }).click();
    const points = composer.getByLabel('Points');
    await page.waitForFunction(() => document.querySelector('textarea[aria-invalid="true"]') !== null);
    const errorId = (await points.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-error'))!;
    assert.match(await page.locator(`[id="${errorId}"]`).innerText(), /3/);
    assert.equal((await alerts()).length, 1, 'the refused alert is not stored');

    // Accepted: a circle, with a headline and an instruction.
    await composer.getByLabel('Shape').selectOption('circle');
    await composer.getByLabel('Headline').fill('Gas leak at the station');
    await composer.getByLabel('Instruction').fill('Stay away from the station square.');
    await composer.getByLabel('Severity').selectOption('Severe');
    await composer.getByLabel('Latitude').fill('48.8443');
    await composer.getByLabel('Longitude').fill('2.3744');
    await composer.getByLabel('Radius (km)').fill('0.5');
    await composer.getByRole('button', { name: 'Post the alert' }).click();
    const row = page.getByRole('row', { name: /Gas leak at the station/ });
    await row.waitFor();
    const stored = await alerts();
    assert.equal(stored.length, 2);
    assert.equal(stored[0]!.infos[0]!.headline, 'Gas leak at the station', 'newest first');
    assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(2, 6), [EDITOR, 'Alert · Actual', 'Severe · Immediate', DISPOSITIONS[stored[0]!.disposition]]);
    assert.match(await page.getByRole('row').nth(1).innerText(), /Gas leak at the station/, 'the new alert heads the list');
    assert.equal(await composer.getByLabel('Event', { exact: true }).inputValue(), '', 'the form is blank again');
  });

  test('a feed is added, shown with its status and its failed poll as the API has it, and deleted', async () => {
    const { page } = fx();
    const feeds = page.getByRole('region', { name: 'CAP feeds' });
    // Refused: a URL carrying a password, at the URL field.
    await feeds.getByLabel('Feed URL').fill('https://ops:secret@alerts.example.gov/feed.atom');
    await feeds.getByRole('button', { name: 'Add the feed' }).click();
    await feeds.locator('.field-error', { hasText: 'must not carry a username or password' }).waitFor();
    assert.equal(await feeds.getByLabel('Feed URL').getAttribute('aria-invalid'), 'true');
    assert.equal((await call('GET', `/v1/apps/${app.id}/alert-feeds`)).body.data.length, 0);

    // Nothing listens on port 1: the first poll, due at once, fails.
    const feedUrl = 'https://127.0.0.1:1/cap.atom';
    await feeds.getByLabel('Feed URL').fill(feedUrl);
    await feeds.getByLabel('Poll every (seconds, 30 to 86400)').fill('120');
    await feeds.getByRole('button', { name: 'Add the feed' }).click();
    const row = feeds.getByRole('row', { name: new RegExp(feedUrl.replace(/[.]/g, '\\.')) });
    await row.waitFor();
    assert.equal(await row.getByRole('cell').nth(1).innerText(), '120');

    let feed: { status: string; error: { code: string; detail: string } | null } | undefined;
    for (const deadline = Date.now() + 8000; Date.now() < deadline; ) {
      feed = (await call('GET', `/v1/apps/${app.id}/alert-feeds`)).body.data[0];
      if (feed && feed.status !== 'pending') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(feed?.status, 'failed', JSON.stringify(feed));
    await feeds.getByRole('button', { name: 'Refresh the feeds' }).click();
    await row.getByRole('cell', { name: 'Failed', exact: true }).waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.notEqual(cells[2], 'Not yet', 'the last poll is shown');
    assert.equal(cells[3], FEED_STATUSES.failed);
    assert.equal(cells[4], `${feed!.error!.detail} (${feed!.error!.code})`);
    await fx().screenshot('alerts');
    await fx().checkAccessibility('alerts with a feed');

    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await feeds.getByText('No feed yet.').waitFor();
    assert.equal((await call('GET', `/v1/apps/${app.id}/alert-feeds`)).body.data.length, 0);
  });

  test('a viewer reads the alerts and feeds, with no composer and no feed form; the forged post is refused', async () => {
    assert.equal((await call('POST', `/v1/apps/${app.id}/alert-feeds`, { url: 'https://127.0.0.1:1/other.atom', interval: 600 })).status, 201);
    const { page } = fx();
    await signIn(VIEWER);
    await page.goto(url('/alerts'));
    await page.getByRole('row', { name: /Gas leak at the station/ }).waitFor();
    await page.getByText('You can read the alerts and feeds of this app').waitFor();
    await page.getByRole('row', { name: /other\.atom/ }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Post an alert' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add the feed' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    const forged = await fx().fetchInPage('POST', `/v1/apps/${app.id}/alerts`, { body: { ...FLOOD, identifier: 'CITY-2026-002' } });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'role_forbidden');
    assert.equal((await alerts()).length, 2);
  });

  test('an owner changes the alert settings, an unknown category refused at its field; an editor only reads them', async () => {
    assert.equal((await call('PATCH', `/v1/apps/${app.id}`, { categories: ['weather'] }, adminKey())).status, 200);
    const { page } = fx();
    await signIn(OWNER);
    await page.goto(url('/alerts'));
    const settings = page.getByRole('region', { name: 'Alert settings' });
    const publicPage = settings.getByLabel('Serve the public page of alerts in force, and its Atom feed');
    await publicPage.waitFor();
    assert.equal(await publicPage.isChecked(), true, 'the public page is on unless turned off');
    assert.equal(await settings.getByLabel(/critical-alert entitlement/).isChecked(), false);

    // Refused: a category the app does not have, under its field; nothing is changed.
    await publicPage.uncheck();
    await settings.getByLabel('Met', { exact: true }).fill('nope');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.locator('.field-error', { hasText: '"nope" is not a category alerts can go in' }).waitFor();
    assert.equal(await settings.getByLabel('Met', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await call('GET', `/v1/apps/${app.id}/alert-settings`)).body, { publicPage: true, apnsCriticalAlerts: false, categories: {} });

    await settings.getByLabel('Met', { exact: true }).fill('weather');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.deepEqual((await call('GET', `/v1/apps/${app.id}/alert-settings`)).body, { publicPage: false, apnsCriticalAlerts: false, categories: { Met: 'weather' } });
    await fx().checkAccessibility('alert settings');

    await signIn(EDITOR);
    await page.goto(url('/alerts'));
    await settings.getByText('Only the app’s owners change these settings.').waitFor();
    assert.equal(await settings.getByLabel('Met', { exact: true }).inputValue(), 'weather');
    assert.equal(await settings.getByLabel('Serve the public page of alerts in force, and its Atom feed').isChecked(), false);
    assert.equal(await settings.getByLabel('Met', { exact: true }).isDisabled(), true);
    assert.equal(await settings.getByRole('button', { name: 'Save' }).count(), 0);
  });
}
