/**
 * The reference authenticator and the example login page in a real Firefox ESR, through
 * Carillon's own push service (real push: Firefox subscribes over its WebSocket protocol,
 * Carillon encrypts and posts to the push service, Firefox decrypts and wakes the worker).
 * Enroll from the login page's link, sign in, the worker fetches the signed details and
 * shows the request, the code typed on the page is signed and the login page is signed in;
 * then a wrong code, and "This wasn't me", which locks push sign-in. Standard APIs only,
 * so the same holds on every Firefox ESR with Web Push (140 and later).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { firstTab, launchFirefox, newFirefoxProfile, type FirefoxProfile } from '../support/firefox.ts';
import { eventually } from '../support/eventually.ts';
import { wrongCode } from '../mfa/fixture.ts';
import { storedDeviceKey } from './stored-key.ts';

describe('reference authenticator and example login page in Firefox, through Carillon’s push service', { timeout: 240_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let profile: FirefoxProfile;
  let browser: Browser;
  let login: Page;
  let auth: Page;
  const seen = new Set<string>();

  const text = (page: Page, selector: string) => page.$eval(selector, (el) => ((el as HTMLElement).hidden ? '' : el.textContent ?? ''));
  /** Waits until the element shows `expected` (a part of its text). */
  const waitText = (page: Page, selector: string, expected: string) =>
    eventually(async () => assert.ok((await text(page, selector)).includes(expected), `${selector}: ${await text(page, selector)}`), 20_000);
  const fill = async (page: Page, selector: string, value: string) => {
    await page.bringToFront();
    await page.$eval(selector, (el) => ((el as HTMLInputElement).value = ''));
    await page.type(selector, value);
  };
  const shown = () =>
    auth.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/authenticator/');
      return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as any)?.url as string }));
    });
  /** Signs in on the login page; the push reaches the worker, which shows the request; the user opens it from the authenticator's list. */
  const signInAndOpen = async (user: string) => {
    await fill(login, '#user', user);
    await login.click('#sign-in button[type="submit"]');
    const code = await eventually(async () => {
      const shownCode = await text(login, '#waiting') ? await text(login, '#code') : '';
      assert.match(shownCode, /^[0-9]{6}$/);
      return shownCode;
    });
    const notification = await eventually(async () => (await shown()).find((n) => n.tag.startsWith('mfc') && !seen.has(n.tag)) ?? assert.fail('no request shown yet'), 30_000);
    seen.add(notification.tag);
    // The user opens the authenticator: the waiting request is listed there, and they open it.
    await auth.goto(`${apiUrl}/authenticator/`);
    await auth.waitForSelector('body[data-ready="true"]');
    assert.equal(await auth.$eval(`#pending a[href="${notification.url}"]`, (a) => a.textContent), `${notification.title}: ${notification.body}`);
    await auth.click(`#pending a[href="${notification.url}"]`);
    await eventually(() => assert.ok(auth.url().includes(`challenge=${notification.tag}`), auth.url()));
    await eventually(async () => assert.notEqual(await text(auth, '#answer'), '', await text(auth, '#request-status')));
    return { code, challengeId: notification.tag, notification };
  };
  const challenge = (id: string) => c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${id}`, { key: app.secretKey }).then((r) => r.body);

  before(async () => {
    c = await startCarillon('sqlite', { pushService: true, examples: true });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
    app = await c.createApp('Example Bank');
    Object.assign(c.ctx.config, { examplesAppId: app.id, examplesSecretKey: app.secretKey });
    profile = newFirefoxProfile();
    browser = await launchFirefox(`${apiUrl.replace('http', 'ws')}/push/ws`, profile);
    // Both tabs now, before any notification window exists (see firstTab).
    login = await firstTab(browser);
    auth = await browser.newPage();
    await login.goto(`${apiUrl}/examples/login/`);
    await login.waitForSelector('body[data-ready="true"]');
  });
  after(async () => {
    await browser?.close();
    await c?.stop();
    profile?.remove();
  });

  test('enroll from the login page’s link: a subscription on Carillon’s push service, a non-extractable key', async () => {
    await fill(login, '#user', 'ana');
    await login.click('#add-device');
    await eventually(async () => assert.notEqual(await text(login, '#enrollment'), ''));
    const link = await login.$eval('#enroll-link', (a) => a.getAttribute('href')!);
    await auth.goto(`${apiUrl}${link}`);
    await auth.waitForSelector('body[data-ready="true"]');
    await fill(auth, '#name', 'Firefox laptop');
    await auth.click('#enroll button[type="submit"]');
    await waitText(auth, '#enroll-status', 'Enrolled as “Firefox laptop”');

    const [device] = (await c.api('GET', `/v1/apps/${app.id}/mfa/devices?userId=ana`, { key: app.secretKey })).body.data;
    assert.equal(device.name, 'Firefox laptop');
    const sub = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${device.subscriptionId}`, { key: app.secretKey });
    assert.ok(sub.body.endpoint.startsWith(`${apiUrl}/push/`), `an endpoint of Carillon's push service: ${sub.body.endpoint}`);
    const channel = await c.ctx.store.db.selectFrom('push_channels').select('app_server_key').executeTakeFirstOrThrow();
    assert.equal(channel.app_server_key?.replace(/=+$/, ''), app.vapidPublicKey, "subscribed with the app's VAPID key");
    const key = await auth.evaluate(storedDeviceKey);
    assert.deepEqual(key, { deviceId: device.id, type: 'private', extractable: false, algorithm: 'P-256', exported: 'InvalidAccessError' });
  });

  test('a sign-in: a real push, the worker shows who is asking from where, the code typed and signed, signed in', async () => {
    const { code, challengeId, notification } = await signInAndOpen('ana');
    assert.equal(notification.title, 'Sign in: Example Bank');
    assert.match(notification.body, /^From 127\.0\.0\.1, Mozilla\/5\.0 .*Firefox\//);
    assert.ok(!notification.body.includes(code), 'the code is not in the notification');
    assert.equal(await text(auth, '#request-title'), 'Sign in: Example Bank');
    await fill(auth, '#code', code);
    await auth.click('#approve');
    await waitText(auth, '#request-status', 'Approved. You can go back to Example Bank.');
    await waitText(login, '#outcome', 'Signed in. Welcome back.');
    assert.equal((await challenge(challengeId)).status, 'approved');
    // The answered request's notification is closed.
    await eventually(async () => assert.ok(!(await shown()).some((n) => n.tag === challengeId)));
  });

  test('a wrong code: the device says so and the login page shows the failure', async () => {
    const { code, challengeId } = await signInAndOpen('ana');
    await fill(auth, '#code', wrongCode(code));
    await auth.click('#approve');
    await waitText(auth, '#request-status', 'Wrong code: this sign-in was refused.');
    await waitText(login, '#outcome', 'Refused: the code typed on the device was wrong.');
    const state = await challenge(challengeId);
    assert.deepEqual([state.status, state.reason], ['denied', 'wrong_code']);
  });

  test('"This wasn’t me" locks push sign-in, and the next sign-in is refused', async () => {
    const { challengeId } = await signInAndOpen('ana');
    await auth.click('#fraud');
    await waitText(auth, '#request-status', 'Reported. Sign-in by push is locked for your account until Example Bank unlocks it.');
    await waitText(login, '#outcome', 'Refused: the device reported that this was not you.');
    assert.equal((await challenge(challengeId)).reason, 'fraud');
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=ana`, { key: app.secretKey })).body.lockedReason, 'fraud');
    await login.click('#sign-in button[type="submit"]');
    await waitText(login, '#outcome', 'Sign-in by push is locked for this account.');
  });
});
