/**
 * The reference authenticator and the example login page in Debian's Chromium, against a
 * listening Carillon: a user adds this browser from the login page's link, signs in, the
 * push (encrypted by Carillon, decrypted by the loopback sink, handed to the service worker
 * with CDP's ServiceWorker.deliverPushMessage as Chromium's push service would) makes the
 * worker fetch the signed details and show who is asking; a click on the desktop's
 * notification opens the request (test/support/notification-daemon.ts); the code typed is
 * signed and the login page sees the sign-in approved. Then a wrong code, and "This wasn't
 * me", which locks push sign-in.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startNotificationDaemon, type NotificationDaemon } from '../support/notification-daemon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { stubPushService } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';
import { wrongCode } from '../mfa/fixture.ts';
import { storedDeviceKey } from './stored-key.ts';

describe('reference authenticator and example login page in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let sink: PushSink;
  let desktop: NotificationDaemon;
  let browser: LaunchedChromium;
  let login: Page;
  let auth: Page;
  let cdp: CDPSession;
  const registrations = new Map<string, string>();
  const delivered = new Set<string>();
  const clicked = new Set<number>();

  /** The next sign-in push the sink got, handed to the worker as Chromium's push service would. */
  const deliverNextPush = async (): Promise<string> => {
    const push = await eventually(() => sink.received.find((r) => typeof (r.json as any)?.notification?.data?.challengeId === 'string' && !delivered.has((r.json as any).notification.data.challengeId)) ?? assert.fail('no sign-in push yet'), 15_000);
    const challengeId = (push.json as any).notification.data.challengeId as string;
    delivered.add(challengeId);
    const registrationId = await eventually(() => registrations.get(`${apiUrl}/authenticator/`) ?? assert.fail('no service worker registration yet'));
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: apiUrl, registrationId, data: push.plaintext });
    return challengeId;
  };
  const shown = () =>
    auth.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/authenticator/');
      return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as any)?.url }));
    });
  /** Signs in on the login page, delivers the push, and opens the request the worker showed, as a click would. */
  const signInAndOpen = async (user: string) => {
    await login.getByLabel('User').fill(user);
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.locator('#waiting').waitFor();
    const code = (await login.locator('#code').textContent())!;
    assert.match(code, /^[0-9]{6}$/);
    const challengeId = await deliverNextPush();
    const notification = await eventually(async () => (await shown()).find((n) => n.tag === challengeId) ?? assert.fail('not shown yet'));
    // The user clicks it on the desktop: the worker brings the authenticator to the request.
    const onDesktop = await desktop.waitFor((n) => n.summary === notification.title && !n.closed && !clicked.has(n.id));
    clicked.add(onDesktop.id);
    desktop.click(onDesktop);
    auth = await eventually(() => browser.context.pages().find((p) => p.url().includes(`challenge=${challengeId}`)) ?? assert.fail(`no page opened: ${browser.context.pages().map((p) => p.url())}`));
    await auth.locator('#answer, #request-status').first().waitFor();
    assert.equal(await auth.locator('#request-status').isVisible(), false, (await auth.locator('#request-status').textContent())!);
    return { code, challengeId, notification };
  };

  before(async () => {
    desktop = await startNotificationDaemon();
    c = await startCarillon('sqlite', { examples: true });
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    app = await c.createApp('Example Bank');
    // The example backend reads its app and secret key at each call, from the server's config.
    Object.assign(c.ctx.config, { examplesAppId: app.id, examplesSecretKey: app.secretKey });
    sink = await startPushSink();
    const sub = sink.subscribe();
    browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.address } });
    await browser.context.addInitScript({ content: stubPushService({ endpoint: sub.endpoint, keys: sub.keys }) });
    await browser.context.grantPermissions(['notifications'], { origin: apiUrl });
    login = browser.context.pages()[0] ?? (await browser.context.newPage());
    auth = await browser.context.newPage();
    cdp = await browser.context.newCDPSession(auth);
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await login.goto(`${apiUrl}/examples/login/`);
  });
  after(async () => {
    await browser?.close();
    await sink?.close();
    await c?.stop();
    await desktop?.close();
  });

  test('served under a strict CSP, installable (manifest, bundled icon), nothing from another origin', async () => {
    const page = await fetch(`${apiUrl}/authenticator/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'self'; script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const html = await page.text();
    assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/www\.w3\.org/g, '')), 'no third-party origin in the page');
    const manifest = await (await fetch(`${apiUrl}/authenticator/manifest.webmanifest`)).json();
    assert.equal(manifest.scope, '/authenticator/');
    assert.equal((await fetch(`${apiUrl}${manifest.icons[0].src}`)).headers.get('content-type'), 'image/svg+xml');
    const sw = await fetch(`${apiUrl}/authenticator/sw.js`);
    assert.equal(sw.status, 200);
    assert.equal((await fetch(`${apiUrl}/authenticator/sw.js`, { headers: { 'if-none-match': sw.headers.get('etag')! } })).status, 304);
    // Without a live token the VAPID key is not handed out.
    const refused = await c.api('POST', '/authenticator/api/push-key', { body: { app: app.id, token: 'crl_mfe_nope' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'enrollment_token_invalid');
  });

  test('enroll from the login page’s link: a non-extractable key in IndexedDB, a push subscription to the app’s VAPID key', async () => {
    await login.getByLabel('User').fill('ana');
    await login.getByRole('button', { name: 'Add a device' }).click();
    // The link is the page's placeholder until the backend's enrollment answers.
    await login.locator('#enroll-link[href*="#app="]').waitFor();
    const link = (await login.locator('#enroll-link').getAttribute('href'))!;
    assert.match(link, /^\/authenticator\/#app=/);
    await auth.goto(`${apiUrl}${link}`);
    await auth.getByLabel('Name of this device').fill('Chromium laptop');
    await auth.getByRole('button', { name: 'Enroll' }).click();
    await auth.getByText('Enrolled as “Chromium laptop”').waitFor();
    assert.deepEqual(await auth.evaluate(() => (window as any).__subscribeKeys), [app.vapidPublicKey], 'subscribed with the app’s VAPID key');

    const devices = await c.api('GET', `/v1/apps/${app.id}/mfa/devices?userId=ana`, { key: app.secretKey });
    assert.deepEqual(devices.body.data.map((d: any) => d.name), ['Chromium laptop']);
    const key = await auth.evaluate(storedDeviceKey);
    assert.deepEqual(key, { deviceId: devices.body.data[0].id, type: 'private', extractable: false, algorithm: 'P-256', exported: 'InvalidAccessError' });
  });

  test('a sign-in: the worker shows who is asking from where, the code typed and signed, the login page signed in', async () => {
    const { code, challengeId, notification } = await signInAndOpen('ana');
    assert.equal(notification.title, 'Sign in: Example Bank');
    assert.match(notification.body, /^From 127\.0\.0\.1, Mozilla\/5\.0 .*Chrome/);
    assert.ok(!notification.body.includes(code), 'the code is not in the notification');
    assert.equal(await auth.locator('#request-title').textContent(), 'Sign in: Example Bank');
    assert.match((await auth.locator('#request-context').textContent())!, /Address127\.0\.0\.1/);
    await auth.getByLabel('Code shown on the login screen').fill(code);
    await auth.getByRole('button', { name: 'Approve' }).click();
    await auth.getByText('Approved. You can go back to Example Bank.').waitFor();
    await login.getByText('Signed in. Welcome back.').waitFor();
    const state = await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey });
    assert.equal(state.body.status, 'approved');
    assert.equal(state.body.deviceId, (await c.api('GET', `/v1/apps/${app.id}/mfa/devices?userId=ana`, { key: app.secretKey })).body.data[0].id);
  });

  test('a wrong code: the device says so, the login page shows the failure, the failure is counted', async () => {
    const { code, challengeId } = await signInAndOpen('ana');
    await auth.getByLabel('Code shown on the login screen').fill(wrongCode(code));
    await auth.getByRole('button', { name: 'Approve' }).click();
    await auth.getByText('Wrong code: this sign-in was refused.').waitFor();
    await login.getByText('Refused: the code typed on the device was wrong. Sign in again.').waitFor();
    const state = await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey });
    assert.deepEqual([state.body.status, state.body.reason], ['denied', 'wrong_code']);
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=ana`, { key: app.secretKey })).body.failures, 1);
  });

  test('a one-time code by push: the worker shows "Your code for …: 123456", and the open page shows it too', async () => {
    const sent = await c.api('POST', `/v1/apps/${app.id}/mfa/otp`, { key: app.secretKey, body: { userId: 'ana', purpose: 'confirm a transfer' } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const { otpId } = sent.body;
    const push = await eventually(() => sink.received.find((r) => (r.json as any)?.notification?.data?.otpId === otpId) ?? assert.fail('no code push yet'), 15_000);
    const code = (push.json as any).notification.data.code as string;
    const registrationId = await eventually(() => registrations.get(`${apiUrl}/authenticator/`) ?? assert.fail('no service worker registration yet'));
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: apiUrl, registrationId, data: push.plaintext });
    const notification = await eventually(async () => (await shown()).find((n) => n.tag === `otp-${otpId}`) ?? assert.fail('not shown yet'));
    assert.deepEqual([notification.title, notification.body], ['One-time code', `Your code for confirm a transfer: ${code}`]);
    await auth.locator(`#otps li[data-otp-id="${otpId}"]`).waitFor();
    assert.match((await auth.locator('#otps').textContent())!, new RegExp(`Your code for confirm a transfer: ${code} \\(until `));
    assert.deepEqual((await c.api('POST', `/v1/apps/${app.id}/mfa/otp/${otpId}/verify`, { key: app.secretKey, body: { userId: 'ana', code } })).body, { valid: true });
  });

  test('number matching (the weaker opt-in mode): three buttons instead of the code field, tapping the login screen’s number approves', async () => {
    const settings = (mode: string) => c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { answerMode: mode } });
    assert.equal((await settings('numberMatching')).status, 200);
    try {
      const { code, challengeId } = await signInAndOpen('ana');
      assert.match((await login.locator('#instruction').textContent())!, /pick this number/, 'the login page says to pick, not type');
      await auth.locator('#choices').waitFor();
      assert.equal(await auth.getByLabel('Code shown on the login screen').isVisible(), false, 'no code field');
      const numbers = await auth.locator('#choice-buttons button').allTextContents();
      assert.equal(numbers.length, 3);
      assert.ok(numbers.includes(code), JSON.stringify(numbers));
      await auth.getByRole('button', { name: code, exact: true }).click();
      await auth.getByText('Approved. You can go back to Example Bank.').waitFor();
      await login.getByText('Signed in. Welcome back.').waitFor();
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey })).body.status, 'approved');
    } finally {
      await settings('code');
    }
  });

  test('"This wasn’t me" locks push sign-in: the device and the login page say so, the next sign-in is refused', async () => {
    const { challengeId } = await signInAndOpen('ana');
    await auth.getByRole('button', { name: 'This wasn\'t me' }).click();
    await auth.getByText('Reported. Sign-in by push is locked for your account until Example Bank unlocks it.').waitFor();
    await login.getByText('Refused: the device reported that this was not you.').waitFor();
    const state = await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey });
    assert.deepEqual([state.body.status, state.body.reason], ['denied', 'fraud']);
    const locks = await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=ana`, { key: app.secretKey });
    assert.equal(locks.body.lockedReason, 'fraud', JSON.stringify(locks.body));
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.getByText('Sign-in by push is locked for this account.').waitFor();
  });
});
