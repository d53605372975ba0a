/**
 * The audience pages, as an operator goes through them: users seeded through the API, a
 * segment built condition by condition with its live size (the request a newer filter
 * supersedes aborted), the API's refusal shown at the condition it names, the users list
 * searched, a user's page, its export downloaded and the user erased after a confirmation
 * that names them; a viewer sees nothing to change. Accessibility at both widths, and the
 * screenshots audience-users, audience-user and segment-builder.
 */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fixture } from '../fixture.ts';

const ADMIN = 'admin@example.org';
const VIEWER = 'viewer@example.org';

/** Who the suite seeds: plan, tier tag of their one device (none: no device), purchases. */
const USERS = [
  { id: 'ada', plan: 'pro', tier: 'gold', purchases: 2 },
  { id: 'bob', plan: 'pro', tier: 'silver', purchases: 0 },
  { id: 'cyd', plan: 'free', tier: 'gold', purchases: 1 },
  { id: 'dee', plan: 'pro', tier: undefined, purchases: 0 },
];

export function audienceSuite(fx: () => Fixture): void {
  let appId = '';
  const base = () => `${fx().server.url}/dashboard/apps/${appId}`;

  const signIn = (email: string) => fx().signIn(email);
  const signOut = () => fx().signOut();
  const size = () => fx().page.getByTestId('audience-users');
  /** Waits for the users list to show exactly these external ids, in order. */
  async function listed(ids: string[]) {
    const want = JSON.stringify(ids);
    await fx().page.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('tbody tr td:first-child')].map((td) => td.textContent)) === w, want);
  }
  async function sizeIs(n: number) {
    await fx().page.getByTestId('audience-users').filter({ hasText: new RegExp(`^${n}$`) }).waitFor();
  }

  test('users are seeded through the API with attributes, devices and events', async () => {
    await signIn(ADMIN);
    const apps = await fx().fetchInPage('GET', '/v1/apps');
    appId = apps.body.data[0].id;
    for (const u of USERS) {
      const put = await fx().fetchInPage('PUT', `/v1/apps/${appId}/users/${u.id}`, { body: { attributes: { plan: u.plan }, language: 'en-GB', country: 'GB' } });
      assert.equal(put.status < 300, true, JSON.stringify(put.body));
      if (u.tier) {
        const sub = await fx().fetchInPage('POST', `/v1/apps/${appId}/subscriptions`, { body: { channel: 'fcm', token: `${u.id}-${'t'.repeat(120)}`, userId: u.id, tags: { tier: u.tier } } });
        assert.equal(sub.status < 300, true, JSON.stringify(sub.body));
      }
      if (u.purchases > 0) {
        const events = Array.from({ length: u.purchases }, () => ({ userId: u.id, name: 'purchase', properties: { sku: 'A1' } }));
        const tracked = await fx().fetchInPage('POST', `/v1/apps/${appId}/track`, { body: { events } });
        assert.equal(tracked.body.accepted, u.purchases, JSON.stringify(tracked.body));
      }
    }
  });

  test('an editor builds a segment and sees its size change as conditions are added; refusals show at their condition', async () => {
    const { page } = fx();
    await page.goto(`${base()}/segments`);
    await page.getByText('No segment yet.').waitFor();
    await page.getByRole('link', { name: 'Create a segment' }).click();
    await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();
    const root = page.getByRole('group', { name: 'Who is in it' });
    // An empty group is refused by the API, at the group.
    await root.locator(':scope > .field-error').waitFor();
    await page.getByText('Not counted: the filter is not valid yet.').waitFor();

    await root.getByLabel('New condition').selectOption('attribute');
    await root.getByRole('button', { name: 'Add Who is in it' }).click();
    const plan = page.getByRole('group', { name: 'Condition 1: Attribute' });
    // A nameless attribute is refused, and the refusal is shown in its condition.
    await plan.locator('.field-error').waitFor();
    assert.equal(await plan.getByLabel('Attribute').getAttribute('aria-invalid'), 'true');
    await plan.getByLabel('Attribute').fill('plan');
    await plan.getByLabel('Value').fill('pro');
    await sizeIs(2);
    assert.equal(await plan.locator('.field-error').count(), 0, 'the error went with the fault');

    await root.getByLabel('New condition').selectOption('tag');
    await root.getByRole('button', { name: 'Add Who is in it' }).click();
    const tier = page.getByRole('group', { name: 'Condition 2: Tag' });
    await tier.getByLabel('Tag').fill('tier');
    // No user's device has an empty tier: settled before the next step holds a request.
    await sizeIs(0);
    // The request for a filter the operator has moved past is aborted, and its answer never shown.
    let held: (() => Promise<void>) | undefined;
    const heldSeen = new Promise<void>((resolve) => {
      void page.route('**/audience/estimate', async (route) => {
        if (held) return route.continue();
        held = () => route.continue().catch(() => undefined);
        resolve();
      });
    });
    await tier.getByLabel('Value').fill('silv');
    await heldSeen;
    const aborted = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/audience/estimate'));
    await tier.getByLabel('Value').fill('gold');
    assert.match((await aborted).failure()?.errorText ?? '', /ABORTED/);
    await held!();
    await sizeIs(1);
    await page.unroute('**/audience/estimate');
    await page.getByText('Subscriptions: 1').waitFor();

    // Any of the two: pro users and gold devices.
    await root.getByLabel('Match').first().selectOption('or');
    await sizeIs(3);
    // A nested group, negated: and not (did not buy).
    await root.getByLabel('New condition').selectOption('group');
    await root.getByRole('button', { name: 'Add Who is in it' }).click();
    const group = page.getByRole('group', { name: 'Group 3' });
    await group.getByLabel('New condition').selectOption('event');
    await group.getByRole('button', { name: 'Add Group 3' }).click();
    await group.getByLabel('Event').fill('purchase');
    await sizeIs(3);
    await root.getByLabel('Match').first().selectOption('and');
    // plan = pro and tier = gold and purchased at least once: ada.
    await sizeIs(1);
    await group.getByLabel('Not').first().check();
    await sizeIs(0);
    await group.getByLabel('Not').first().uncheck();
    await sizeIs(1);
    const json = JSON.parse(await page.locator('pre.json').innerText());
    assert.deepEqual(json, {
      and: [
        { attribute: 'plan', op: 'eq', value: 'pro' },
        { tag: 'tier', op: 'eq', value: 'gold' },
        { and: [{ event: 'purchase', count: { gte: 1 } }] },
      ],
    });
    assert.equal(await page.getByRole('textbox', { name: 'Filter JSON, one line' }).inputValue(), JSON.stringify(json));

    await page.getByLabel('Name').fill('Gold pro buyers');
    await fx().checkAccessibility('segment builder');
    await fx().screenshot('segment-builder');
    await page.getByRole('button', { name: 'Create a segment' }).click();
    await page.getByRole('heading', { name: 'Gold pro buyers', level: 1 }).waitFor();
    await sizeIs(1);
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'Gold pro buyers' }).waitFor();
    await fx().checkAccessibility('segments');
    const saved = await fx().fetchInPage('GET', `/v1/apps/${appId}/segments`);
    assert.deepEqual(saved.body.data[0].filter, json);
  });

  test('the users are listed and searched by attribute, by filter and by external id', async () => {
    const { page } = fx();
    await page.goto(`${base()}/users`);
    await listed(['ada', 'bob', 'cyd', 'dee']);
    await fx().checkAccessibility('users');
    await fx().screenshot('audience-users');

    await page.getByLabel('Search by').selectOption('attribute');
    await page.getByLabel('Attribute').fill('plan');
    await page.getByLabel('Equals').fill('free');
    await page.getByRole('button', { name: 'Search' }).click();
    await listed(['cyd']);

    await page.getByLabel('Search by').selectOption('filter');
    await page.getByLabel('Filter (JSON)').fill('{"attribute": "plan", "op": "sideways", "value": 1}');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.field-error').filter({ hasText: 'invalid_filter' }).waitFor();
    assert.equal(await page.getByLabel('Filter (JSON)').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Filter (JSON)').fill('{"attribute": "plan", "op": "eq"');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.field-error').filter({ hasText: 'This is not JSON' }).waitFor();
    await page.getByLabel('Filter (JSON)').fill('{"event": "purchase", "count": {"gte": 2}}');
    await page.getByRole('button', { name: 'Search' }).click();
    await listed(['ada']);

    await page.getByLabel('Search by').selectOption('externalId');
    await page.getByLabel('External id').fill('ada');
    await page.getByRole('button', { name: 'Open the user' }).click();
    await page.getByRole('heading', { name: 'User ada', level: 1 }).waitFor();
  });

  test('a user’s page shows devices, attributes, events and preferences, sets quiet hours, downloads the export and erases after a confirmation', async () => {
    const { page } = fx();
    await page.getByRole('heading', { name: 'Devices by channel' }).waitFor();
    await page.getByRole('heading', { name: 'fcm', level: 3 }).waitFor();
    await page.getByRole('cell', { name: 'tier=gold' }).waitFor();
    await page.getByRole('cell', { name: 'purchase' }).first().waitFor();
    assert.equal(await page.getByRole('cell', { name: 'purchase' }).count(), 2);
    await page.getByText('Failed deliveries only').waitFor();
    await page.getByText('security', { exact: true }).waitFor();
    await page.locator('.facts dd').filter({ hasText: /^pro$/ }).waitFor();

    await page.getByLabel('Quiet hours of their own').check();
    await page.getByLabel('From').fill('21:30');
    await page.getByLabel('Until').fill('06:45');
    await page.getByRole('button', { name: 'Save quiet hours' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const quiet = await fx().fetchInPage('GET', `/v1/apps/${appId}/users/ada/quiet-hours`);
    assert.deepEqual(quiet.body, { quietHours: { start: '21:30', end: '06:45' } });
    await fx().checkAccessibility('a user');
    await fx().screenshot('audience-user');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the export' }).click()]);
    assert.equal(download.suggestedFilename(), 'ada.json');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    assert.equal(exported.user.externalId, 'ada');
    assert.equal(exported.events.length, 2);

    await page.getByRole('button', { name: 'Erase the user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase ada?' });
    await dialog.getByText('ada, their devices, events and preferences are deleted for good.').waitFor();
    await fx().checkAccessibility('erasing a user');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await fx().fetchInPage('GET', `/v1/apps/${appId}/users/ada`)).status, 200, 'cancelled: nothing erased');
    await page.getByRole('button', { name: 'Erase the user' }).click();
    await dialog.getByRole('button', { name: 'Erase ada' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'bob' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'ada' }).count(), 0);
    const gone = await fx().fetchInPage('GET', `/v1/apps/${appId}/users/ada`);
    assert.equal(gone.status, 404);
    await signOut();
  });

  test('a viewer reads users and segments with no button to change them', async () => {
    const { page } = fx();
    await signIn(VIEWER);
    await page.goto(`${base()}/users/bob`);
    await page.getByRole('heading', { name: 'User bob', level: 1 }).waitFor();
    await page.getByText('Your role lets you read this audience, not change it.').waitFor();
    await page.getByRole('cell', { name: 'tier=silver' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Erase the user' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Save quiet hours' }).count(), 0);
    assert.equal(await page.getByLabel('Quiet hours of their own').isDisabled(), true);
    await page.getByRole('button', { name: 'Download the export' }).waitFor();
    await fx().checkAccessibility('a user, read only');

    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'Gold pro buyers' }).click();
    await page.getByRole('heading', { name: 'Gold pro buyers', level: 1 }).waitFor();
    // The size the segment has now (ada is erased): from the segment, not an estimate a viewer may not ask.
    await sizeIs(0);
    assert.equal(await size().count(), 1);
    for (const name of [/^Add/, /^Remove/, 'Save', 'Delete the segment']) assert.equal(await page.getByRole('button', { name }).count(), 0, String(name));
    assert.equal(await page.getByRole('group', { name: 'Condition 1: Attribute' }).getByLabel('Attribute').isDisabled(), true);
    await fx().checkAccessibility('a segment, read only');
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'Gold pro buyers' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create a segment' }).count(), 0);
    await signOut();
  });
}
