/**
 * An app's API keys and the dead letters' retry in the dashboard: an owner lists the keys
 * by prefix and last use, makes one (shown once, with a copy button) that works at once,
 * revokes it after a confirmation (the API refuses it from then on) and is told why the
 * last secret key stays; a viewer sees the list and no button to change it, and the
 * forged call is refused; an administrator retries one dead letter, then all of them, each
 * confirmed. Accessibility at both widths; the screenshots app-keys and system-dead-letters.
 * Runs after the foundation suite: the app Bakery, its viewer and the administrator exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { PASSWORD, type Fixture } from '../fixture.ts';

// An administrator of this suite's own: the foundation's has spent its sign-in attempts (5 per account in 15 minutes).
const ADMIN = 'keys-admin@example.org';
const VIEWER = 'viewer@example.org';

export function keysSuite(fx: () => Fixture): void {
  let appId = '';
  let adminMade = false;

  async function signIn(email: string) {
    if (email === ADMIN && !adminMade) {
      // Made with the admin key the first start printed, as an installer would.
      const adminKey = /Admin key: (\S+)/.exec(fx().server.output())?.[1];
      assert.ok(adminKey, 'the first start prints the admin key');
      const res = await fetch(`${fx().server.url}/v1/operators`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN, password: PASSWORD, admin: true }) });
      assert.equal(res.status, 201, await res.text());
      adminMade = true;
    }
    // Whatever an earlier test left, each starts signed out.
    await fx().browser.context.clearCookies();
    await fx().signIn(email);
  }
  const signOut = () => fx().signOut();
  /** A call with an API key, as the site's server would make it. */
  async function withKey(key: string, path: string) {
    const res = await fetch(`${fx().server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { code?: string } };
  }

  test('an owner makes a key, sees it once, and revokes it after a confirmation', async () => {
    const { page } = fx();
    await signIn(ADMIN);
    await page.getByRole('link', { name: /^Bakery/ }).first().click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    appId = await page.getByLabel('App id', { exact: true }).inputValue();
    const rows = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) }).locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2, 'the two keys made with the app');
    // Made in the same millisecond: listed by id then, in either order.
    const made2 = (await rows.allInnerTexts()).sort();
    assert.match(made2[0]!, /crl_pk_\S{5}…\s+Publishable \(browser\)/);
    assert.match(made2[1]!, /crl_sk_\S{5}…/);

    await page.getByLabel('Kind', { exact: true }).selectOption('secret');
    await page.getByLabel('Label', { exact: true }).fill('checkout server');
    await page.getByRole('button', { name: 'Create a key' }).click();
    const shown = page.getByLabel(/^New key crl_sk_/);
    await shown.waitFor();
    const key = await shown.inputValue();
    assert.match(key, /^crl_sk_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: /^Copy: New key/ }).waitFor();
    await page.getByText('Shown once: copy it now').waitFor();
    const made = rows.filter({ hasText: 'checkout server' });
    await made.waitFor();
    assert.match(await made.innerText(), new RegExp(`${key.slice(0, 12)}…`));
    assert.match(await made.innerText(), /Never/, 'not used yet');
    assert.equal((await withKey(key, `/v1/apps/${appId}/subscriptions`)).status, 200, 'the new key works at once');
    await page.reload();
    await made.waitFor();
    assert.doesNotMatch(await made.innerText(), /Never/, 'its first use is shown');
    assert.ok(!(await page.content()).includes(key), 'after a reload, the key is not on the page');
    await fx().checkAccessibility('an app’s API keys');
    await fx().screenshot('app-keys');

    // Revoking asks first; Cancel changes nothing.
    await made.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('refused from now on').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await withKey(key, `/v1/apps/${appId}/subscriptions`)).status, 200);
    await made.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await made.getByText(/^Revoked /).waitFor();
    assert.equal(await made.getByRole('button', { name: 'Revoke' }).count(), 0);
    const refused = await withKey(key, `/v1/apps/${appId}/subscriptions`);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'invalid_api_key');

    // The app's last secret key stays: the dialog says why, and nothing changes.
    const firstSecret = rows.filter({ hasText: /crl_sk_/ }).filter({ hasNotText: 'checkout server' });
    await firstSecret.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('last_secret_key').waitFor();
    await fx().checkAccessibility('revoking the last secret key, refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await firstSecret.getByRole('button', { name: 'Revoke' }).waitFor();
    await signOut();
  });

  test('a viewer sees the keys and no button to make or revoke one; the forged call is refused', async () => {
    const { page } = fx();
    await signIn(VIEWER);
    await page.getByRole('link', { name: /^Bakery/ }).first().click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('cell', { name: 'checkout server' }).waitFor();
    for (const name of ['Create a key', 'Revoke']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    assert.equal(await page.getByLabel('Label', { exact: true }).count(), 0);
    await fx().checkAccessibility('an app’s API keys, read only');
    const forged = await fx().fetchInPage('POST', `/v1/apps/${appId}/keys`, { body: { kind: 'secret' } });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'role_forbidden');
    const list = await fx().fetchInPage('GET', `/v1/apps/${appId}/keys`);
    assert.equal(list.body.data.length, 3, 'nothing was made');
    await signOut();
  });

  test('an administrator retries one dead letter, then all, each after a confirmation', async () => {
    const { page, server } = fx();
    // Dead letters as a worker leaves them: jobs that no handler knows, failed for good.
    const file = /Data:\s+(\S+)/.exec(server.output())?.[1];
    assert.ok(file, 'the start says where the data lives');
    const db = new SQLite(file);
    try {
      db.pragma('busy_timeout = 5000');
      const insert = db.prepare(`insert into jobs (name, data, key, priority, run_at, locked_until, attempts, state, last_error, created_at) values (?, '{}', null, 0, 0, 0, 6, 'failed', ?, 0)`);
      for (const n of [1, 2]) insert.run(`dashboard-dead-${n}`, `Error: push service down (${n})\n    at deliver`);
    } finally {
      db.close();
    }
    await signIn(ADMIN);
    await page.getByRole('link', { name: 'System' }).click();
    const deadLetters = page.locator('section', { has: page.getByRole('heading', { name: 'Dead letters' }) });
    const first = deadLetters.getByRole('row').filter({ hasText: 'dashboard-dead-1' });
    await first.waitFor();
    await deadLetters.getByRole('row').filter({ hasText: 'dashboard-dead-2' }).waitFor();
    await fx().checkAccessibility('system, with dead letters');
    await fx().screenshot('system-dead-letters');

    await first.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('attempts counted from zero').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await fx().fetchInPage('GET', '/v1/queue/failed')).body.data.length, 2, 'Cancel retries nothing');
    await first.getByRole('button', { name: 'Retry' }).click();
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await first.waitFor({ state: 'detached' });
    const left = (await fx().fetchInPage('GET', '/v1/queue/failed')).body.data.map((j: { name: string }) => j.name);
    assert.deepEqual(left, ['dashboard-dead-2']);

    await deadLetters.getByRole('button', { name: 'Retry all' }).click();
    await dialog.getByRole('button', { name: 'Retry all' }).click();
    await page.getByText('Jobs put back in the queue: 1.').waitFor();
    await page.getByText('No job failed for good.').waitFor();
    assert.equal(await deadLetters.getByRole('button', { name: 'Retry all' }).count(), 0, 'nothing left to retry');
    assert.deepEqual((await fx().fetchInPage('GET', '/v1/queue/failed')).body.data, []);
    await fx().checkAccessibility('system, dead letters retried');
    await signOut();
  });
}
