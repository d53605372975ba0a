/**
 * The foundation pages, as an operator goes through them: first-run setup with the printed
 * link, apps and their keys, the account's second factor and a sign-in with it, operators
 * and roles (a viewer sees no button to change anything, and the API refuses the forged
 * call), CSRF, the cookie's flags, the login limit, the language kept, accessibility at
 * both widths, and the screenshots of docs/screenshots.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { LOGIN_ATTEMPTS_PER_ACCOUNT, PASSWORD, PHONE, WIDE, type Fixture } from '../fixture.ts';
import { pixelsOf, readQr } from '../qr.ts';

const ADMIN = 'admin@example.org';
const VIEWER = 'viewer@example.org';

export function foundationSuite(fx: () => Fixture): void {
  let appId = '';
  let totp: OTPAuth.TOTP | undefined;
  let enrolmentCode = '';

  async function signIn(email: string, code?: () => string) {
    const { page } = fx();
    await page.goto(`${fx().server.url}/dashboard/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (code) {
      await page.getByLabel('Code from your authenticator app').fill(code());
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
  }
  async function signOut() {
    await fx().page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await fx().page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  test('the setup link printed at first start creates the first operator and signs them in', async () => {
    const { page, setupLink } = fx();
    await page.goto(setupLink);
    await page.getByRole('heading', { name: 'Set up Carillon' }).waitFor();
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByLabel('Password again').fill('too short');
    await page.getByRole('button', { name: 'Create the account' }).click();
    // The API's refusal, next to the field its pointer names.
    const error = page.locator('.field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /12 to 1024 characters/);
    const described = await page.getByLabel('Password', { exact: true }).getAttribute('aria-describedby');
    assert.ok(described?.split(' ').includes((await error.getAttribute('id'))!), 'the error is tied to its field');
    await fx().checkAccessibility('setup, with an error');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await fx().screenshot('setup');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
    assert.doesNotMatch(page.url(), /token/, 'the token leaves the address bar');
    // Used once: the same link now says so.
    await page.goto(setupLink);
    await page.getByLabel('Email').fill('second@example.org');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByText('setup_link_invalid').waitFor();
    await page.goto(`${fx().server.url}/dashboard/`);
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
  });

  test('the session cookie is HttpOnly and SameSite=Strict, and Secure behind an https proxy', async () => {
    const cookies = await fx().browser.context.cookies();
    const session = cookies.find((c) => c.name === 'carillon_session');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.secure, false, 'plain http');
    assert.equal(await fx().page.evaluate(() => document.cookie), '', 'no script reads it');
    const res = await fetch(`${fx().server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ email: ADMIN, password: PASSWORD }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  });

  test('an administrator creates an app and sees its keys once', async () => {
    const { page } = fx();
    await page.getByLabel('Name').fill('Bakery');
    await page.getByRole('button', { name: 'Create an app' }).click();
    const secret = page.getByLabel('Secret key (your server)', { exact: true });
    await secret.waitFor();
    assert.match(await secret.inputValue(), /^crl_sk_/);
    assert.match(await page.getByLabel('Publishable key (your pages)', { exact: true }).inputValue(), /^crl_pk_/);
    await fx().checkAccessibility('apps, with a new app');
    await fx().screenshot('apps');
    await page.getByRole('link', { name: 'Open Bakery' }).first().click();
    await page.getByRole('heading', { name: 'Bakery', level: 1 }).waitFor();
    appId = await page.getByLabel('App id', { exact: true }).inputValue();
    assert.match(await page.getByLabel('VAPID public key', { exact: true }).inputValue(), /^B[A-Za-z0-9_-]{86}$/);
    // Campaign defaults: a wrong zone is shown next to its field, a right one is saved.
    await page.getByLabel(/^Time zone/).fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).nth(1).click();
    await page.getByText(/Mars\/Olympus/).first().waitFor();
    assert.equal(await page.getByLabel(/^Time zone/).getAttribute('aria-invalid'), 'true');
    await page.getByLabel(/^Time zone/).fill('Europe/Paris');
    await page.getByLabel(/^Quiet hours from/).fill('21:00');
    await page.getByLabel(/^Quiet hours until/).fill('08:00');
    await page.getByRole('button', { name: 'Save' }).nth(1).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await fx().checkAccessibility('an app');
    await fx().screenshot('app');
    await page.emulateMedia({ colorScheme: 'dark' });
    await fx().screenshot('app-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // Destructive actions ask first: Cancel changes nothing.
    await page.getByRole('button', { name: 'Make a new identity secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('stop verifying').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByLabel('Identity secret (your server hashes user ids with it)', { exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Make a new identity secret' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    assert.match(await page.getByLabel('Identity secret (your server hashes user ids with it)', { exact: true }).inputValue(), /\S{32,}/);

    // FCM credentials from the service account file: listed by what names them, the key never shown back.
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const serviceAccount = { type: 'service_account', project_id: 'bakery-push', private_key_id: 'k1', private_key: privateKey, client_email: 'push@bakery-push.iam.gserviceaccount.com', token_uri: 'https://oauth2.googleapis.com/token' };
    await page.getByLabel('Service account key (.json file)').setInputFiles({ name: 'bakery.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(serviceAccount)) });
    await page.getByRole('button', { name: 'Upload' }).nth(1).click();
    await page.getByText('push@bakery-push.iam.gserviceaccount.com').waitFor();
    const html = await page.content();
    assert.ok(!html.includes(privateKey.split('\n')[1]!), 'the private key is not on the page');
    await page.reload();
    await page.getByText('push@bakery-push.iam.gserviceaccount.com').waitFor();
    assert.ok(!(await page.content()).includes(privateKey.split('\n')[1]!), 'nor after a reload');
  });

  test('a TOTP second factor is enrolled with a code, then asked for at sign-in', async () => {
    const { page } = fx();
    await page.getByRole('link', { name: 'Account' }).click();
    // The password form names its account for password managers.
    assert.equal(await page.locator('input[autocomplete="username"]').inputValue(), ADMIN);
    const answered = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/session/totp' && res.request().method() === 'POST');
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    const given = ((await (await answered).json()) as { uri: string }).uri;
    const uri = await page.getByLabel('Setup address (otpauth)', { exact: true }).inputValue();
    assert.equal(uri, given, 'the URI is shown as the server gave it');
    // The QR code, as a phone's camera sees it: a screenshot of it, read back by jsQR.
    const qr = page.getByRole('img', { name: 'QR code of the setup address, for your authenticator app' });
    assert.equal(readQr(await pixelsOf(page, await qr.screenshot())), given, 'the QR code holds the URI the server gave');
    assert.equal(await page.getByRole('textbox', { name: 'Secret key (type it into the app)' }).inputValue(), (OTPAuth.URI.parse(given) as OTPAuth.TOTP).secret.base32.replace(/(.{4})/g, '$1 ').trim(), 'and the secret as text');
    await fx().checkAccessibility('account, second factor being set up');
    await fx().screenshot('account-totp');
    totp = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
    enrolmentCode = totp.generate();
    await page.getByLabel('Code from your authenticator app').fill(enrolmentCode);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('A second factor is required when you sign in.').waitFor();
    await fx().checkAccessibility('account');
    await fx().screenshot('account');
    await signOut();
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code from your authenticator app').waitFor();
    await fx().checkAccessibility('sign-in, second step');
    await fx().screenshot('sign-in-code');
    // The code of the enrolment is spent (replayed as it was, whatever the clock has done
    // since); the next time step's is good (RFC 6238 §5.2 allows one step of drift).
    await page.getByLabel('Code from your authenticator app').fill(enrolmentCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.field-error').filter({ hasText: 'used already' }).waitFor();
    assert.equal(await page.getByLabel('Code from your authenticator app').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Code from your authenticator app').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
    // Removed again, with the password, after a confirmation: later sign-ins need no code.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Remove the second factor' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Password', { exact: true }).fill('not the password');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // The refusal names /password: shown at that field, not above the buttons.
    const wrong = dialog.getByLabel('Password', { exact: true });
    await wrong.and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.equal(await dialog.locator('.field-error').innerText(), 'The password is wrong');
    assert.equal(await dialog.locator('.problem').count(), 0, 'nothing at the top');
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No second factor.', { exact: false }).waitFor();
  });

  test('calls that change something need the CSRF token', async () => {
    for (const csrf of ['none', 'wrong'] as const) {
      const res = await fx().fetchInPage('POST', '/v1/apps', { body: { name: 'forged' }, csrf });
      assert.equal(res.status, 403, csrf);
      assert.equal(res.body.code, 'csrf_invalid');
    }
    const apps = await fx().fetchInPage('GET', '/v1/apps', { csrf: 'none' });
    assert.deepEqual(apps.body.data.map((a: { name: string }) => a.name), ['Bakery']);
  });

  test('an owner gives a viewer a role; the viewer sees nothing to change and a forged call is refused', async () => {
    const { page } = fx();
    await page.getByRole('link', { name: 'Operators' }).click();
    await page.getByLabel('Email').fill(VIEWER);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create an operator' }).click();
    await page.getByRole('cell', { name: VIEWER }).waitFor();
    await fx().checkAccessibility('operators');
    await fx().screenshot('operators');
    await page.goto(`${fx().server.url}/dashboard/apps/${appId}`);
    await page.getByLabel('Email').fill(VIEWER);
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Give a role' }).click();
    await page.getByRole('cell', { name: VIEWER }).waitFor();
    await signOut();

    await signIn(VIEWER);
    assert.equal(await page.getByRole('button', { name: 'Create an app' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Operators' }).count(), 0);
    await page.getByRole('link', { name: /^Bakery/ }).click();
    await page.getByText('Your role lets you read this app, not change it.').waitFor();
    assert.equal(await page.getByLabel(/^Time zone/).inputValue(), 'Europe/Paris');
    assert.equal(await page.getByLabel(/^Time zone/).isDisabled(), true);
    for (const name of ['Save', 'Make a new identity secret', 'Upload', 'Give a role']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    await fx().checkAccessibility('an app, read only');
    const forged = await fx().fetchInPage('POST', `/v1/apps/${appId}/segments`, { body: { name: 'forged', filter: { channel: 'webpush' } } });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'role_forbidden');
    const forgedApp = await fx().fetchInPage('POST', '/v1/apps', { body: { name: 'forged' } });
    assert.equal(forgedApp.body.code, 'role_forbidden');
    const read = await fx().fetchInPage('GET', `/v1/apps/${appId}/segments`);
    assert.deepEqual(read.body.data, [], 'nothing was made');
  });

  test('the language is the browser’s until chosen, and the choice is kept', async () => {
    const { page } = fx();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await page.getByRole('heading', { name: 'Bakery' }).waitFor();
    await page.getByText('Votre rôle vous permet de lire cette application, pas de la modifier.').waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Applications' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await fx().screenshot('apps-phone-fr');
    await page.setViewportSize(WIDE);
    await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
    await signOut();
  });

  test('the administrator sees the system: readiness, version, the queue and its dead letters', async () => {
    const { page } = fx();
    await signIn(ADMIN);
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Delivery queue' }).waitFor();
    await page.getByText('No job failed for good.').waitFor();
    const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    await page.locator('.facts dd').filter({ hasText: version }).waitFor();
    await page.locator('.facts .ok').filter({ hasText: 'Yes' }).waitFor();
    assert.equal(await page.locator('.figures dd').count(), 4);
    await fx().checkAccessibility('system');
    await fx().screenshot('system');
    await signOut();
  });

  test('sign-in attempts on one account are limited, and the page says so', async () => {
    const { page } = fx();
    for (let i = 0; i <= LOGIN_ATTEMPTS_PER_ACCOUNT; i++) {
      await page.getByLabel('Email').fill('guessed@example.org');
      await page.getByLabel('Password', { exact: true }).fill(`guess number ${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(i < LOGIN_ATTEMPTS_PER_ACCOUNT ? 'invalid_credentials' : 'rate_limited').waitFor();
    }
    await fx().checkAccessibility('sign-in, refused');
    await page.getByLabel('Password', { exact: true }).fill('');
    await page.getByLabel('Email').fill('');
    await fx().screenshot('sign-in');
  });
}
