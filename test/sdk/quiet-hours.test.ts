/**
 * The browser SDK's quiet hours in Debian's Chromium, against a listening Carillon: the
 * signed-in user reads, sets and removes their own window with the publishable key and
 * their proof; a window the server refuses comes back as its code and changes nothing; a
 * user the server cannot verify is refused. What is asserted is what the server holds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { startSdkSite, stubPushService, type SdkSite } from '../support/sdk-site.ts';

describe('browser SDK: the user’s own quiet hours, in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let sink: PushSink;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;

  /** Loads the site's page afresh and starts the SDK on it, signed in as `userId` with `hash` (its proof unless given). */
  const load = async (userId?: string, hash?: string) => {
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
    await page.evaluate(
      async ({ options, userId, hash }) => {
        const w = window as any;
        w.carillon = await w.Carillon.init(options);
        if (userId !== undefined) await w.carillon.setUserId(userId, hash).catch(() => undefined);
      },
      { options: { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl }, userId, hash: hash ?? (userId === undefined ? undefined : userIdHash(app, userId)) },
    );
  };
  const callSdk = (script: string) =>
    page.evaluate(async (body) => {
      try {
        return { value: await new Function('carillon', `return (async () => { ${body} })()`)((window as any).carillon) };
      } catch (err) {
        return { code: (err as { code?: string }).code ?? String(err) };
      }
    }, script);
  const stored = async (externalId: string) => (await c.api('GET', `/v1/apps/${app.id}/users/${externalId}/quiet-hours`, { key: app.secretKey })).body;

  before(async () => {
    c = await startCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    app = await c.createApp('Shop');
    sink = await startPushSink();
    const browserSub = sink.subscribe();
    site = await startSdkSite(apiUrl);
    browser = await launchChromium({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    await browser.context.addInitScript({ content: stubPushService({ endpoint: browserSub.endpoint, keys: browserSub.keys }) });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await c?.stop();
  });

  test('the signed-in user reads, sets and removes their own window; the server keeps it', async () => {
    await load('night-owl');
    assert.deepEqual(await callSdk(`return await carillon.getQuietHours();`), { value: null }, 'none set: the app’s apply');
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '22:30', end: '07:00' });`), { value: { start: '22:30', end: '07:00' } });
    assert.deepEqual(await stored('night-owl'), { quietHours: { start: '22:30', end: '07:00' } });
    await load('night-owl');
    assert.deepEqual(await callSdk(`return await carillon.getQuietHours();`), { value: { start: '22:30', end: '07:00' } }, 'read back on a later page');
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours(null);`), { value: null });
    assert.deepEqual(await stored('night-owl'), { quietHours: null });
  });

  test('a window the server refuses comes back as its code, and nothing changes', async () => {
    await load('early-bird');
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '21:00', end: '06:30' });`), { value: { start: '21:00', end: '06:30' } });
    // Equal ends pass the SDK's shape check; the server refuses them (invalid_quiet_hours, #/quietHours/end).
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '09:00', end: '09:00' });`), { code: 'invalid_quiet_hours' });
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '9:00', end: '07:00' });`), { code: 'invalid_quiet_hours' }, 'refused before sending');
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours('22:00-07:00');`), { code: 'invalid_quiet_hours' });
    assert.deepEqual(await stored('early-bird'), { quietHours: { start: '21:00', end: '06:30' } });
  });

  test('without a signed-in user, or with a proof the server cannot verify, nothing is read or set', async () => {
    await load();
    assert.deepEqual(await callSdk(`await carillon.setUserId(null);`), { value: undefined });
    assert.deepEqual(await callSdk(`return await carillon.getQuietHours();`), { code: 'user_required' });
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '22:00', end: '07:00' });`), { code: 'user_required' });
    // A proof of another user: the server cannot verify it, and refuses to read or set anything for them.
    await load('mallory', userIdHash(app, 'someone-else'));
    assert.deepEqual(await callSdk(`return await carillon.setQuietHours({ start: '01:00', end: '02:00' });`), { code: 'identity_not_verified' });
    assert.deepEqual(await callSdk(`return await carillon.getQuietHours();`), { code: 'identity_not_verified' });
    assert.deepEqual(await stored('mallory'), { quietHours: null });
  });
});
