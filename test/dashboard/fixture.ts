/**
 * What the dashboard's browser tests share: one Carillon (a real `carillon serve` process on
 * a fresh data folder, so its first start prints the setup link), one Chromium, and helpers
 * to check accessibility (axe-core) and write screenshots. test/dashboard/browser.test.ts
 * starts them once and runs every suite under suites/ in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export const PASSWORD = 'a sentence long enough to pass';

export interface Fixture {
  server: ServerProcess;
  browser: LaunchedChromium;
  page: Page;
  /** The setup link the first start printed. */
  setupLink: string;
  /**
   * A full-page screenshot. With CARILLON_UPDATE_SCREENSHOTS=1 it goes to docs/screenshots
   * (committed and shown in the README); otherwise to a temporary folder, so that a test
   * run leaves the work tree as it found it.
   */
  screenshot(name: string): Promise<void>;
  /** axe-core on the page as it is, at 1280 px and at 390 px: no serious or critical violation. */
  checkAccessibility(what: string): Promise<void>;
  /** A call of the API from the page, with its session cookie, as a forged request would be. */
  fetchInPage(method: string, url: string, opts?: { body?: unknown; csrf?: 'right' | 'wrong' | 'none' }): Promise<{ status: number; body: any }>;
  /** Signs in from the dashboard's front page with PASSWORD; done when the apps are listed. */
  signIn(email: string): Promise<void>;
  /** Signs out with the header's button; done when the sign-in form is back. */
  signOut(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sign-in attempts per account in the fixture's 15 minutes: every sign-in counts, the good
 * ones too, so it leaves room for the sign-ins of every suite; the foundation's limit test
 * spends it on an account of its own.
 */
export const LOGIN_ATTEMPTS_PER_ACCOUNT = 20;

/** The admin key the server printed on its first start. */
export function adminKeyOf(fx: Fixture): string {
  const key = /Admin key: (crl_ak_\S+)/.exec(fx.server.output())?.[1];
  assert.ok(key, 'the first start prints the admin key');
  return key;
}

/** A call to the server's API with a key, as the app's backend makes it: its status and its JSON body (null when empty). */
export async function apiCall(fx: Fixture, method: string, path: string, body: unknown, key: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fx.server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export const WIDE = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function startFixture(): Promise<Fixture> {
  // Built from the sources under test, not whatever dist an earlier install left: by
  // `npm test` once before the files run (scripts/test.ts), or here for a file run alone.
  if (process.env.CARILLON_TEST_DASHBOARD_BUILT !== '1') await build({ root: path.join(repo, 'dashboard'), configFile: path.join(repo, 'dashboard/vite.config.ts'), logLevel: 'warn' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'carillon-dashboard-'));
  const server = await startServerProcess({
    CARILLON_DATA_DIR: dataDir,
    CARILLON_ADMIN_KEY: '',
    CARILLON_LOGIN_ATTEMPTS_PER_ACCOUNT: String(LOGIN_ATTEMPTS_PER_ACCOUNT),
    CARILLON_LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
    // The tests speak for a TLS-terminating proxy on loopback (X-Forwarded-Proto).
    CARILLON_TRUST_PROXY: '127.0.0.1',
    // Campaigns are sent to a loopback push service (test/support/push-sink.ts).
    CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
  });
  const printed = /Set up the first operator: (\S+)/.exec(server.output());
  assert.ok(printed, `the first start prints a setup link:\n${server.output()}`);
  const browser = await launchChromium({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.setViewportSize(WIDE);
  // A step that waits longer than this is a failure to report, not a slow machine.
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => console.error('page error:', err));

  return {
    server,
    browser,
    page,
    setupLink: printed[1]!,
    async screenshot(name) {
      const folder = process.env.CARILLON_UPDATE_SCREENSHOTS === '1' ? path.join(repo, 'docs/screenshots') : path.join(dataDir, 'screenshots');
      await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true });
    },
    async checkAccessibility(what) {
      for (const size of [WIDE, PHONE]) {
        await page.setViewportSize(size);
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        });
        assert.deepEqual(violations, [], `${what} at ${size.width} px`);
      }
      await page.setViewportSize(WIDE);
    },
    async fetchInPage(method, url, opts = {}) {
      return page.evaluate(
        async ({ method, url, body, csrf }) => {
          const session = await (await fetch('/v1/session')).json();
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (csrf === 'right') headers['x-csrf-token'] = session.csrfToken;
          if (csrf === 'wrong') headers['x-csrf-token'] = `${session.csrfToken.slice(0, -2)}xx`;
          const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
          const text = await res.text();
          return { status: res.status, body: text ? JSON.parse(text) : null };
        },
        { method, url, body: opts.body, csrf: opts.csrf ?? 'right' },
      );
    },
    async signIn(email) {
      await page.goto(`${server.url}/dashboard/`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
    },
    async signOut() {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    },
    async close() {
      await browser.close();
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
