/**
 * Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi, pointed at Carillon's
 * own push service. The prefs are the ones Firefox needs to speak its push protocol to a
 * local, plain-WebSocket server from a headless, remote-controlled profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ensureDebianPackage } from '../../scripts/services/apt.ts';

export interface FirefoxProfile {
  dir: string;
  remove(): void;
}

export function newFirefoxProfile(): FirefoxProfile {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-firefox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts Firefox on `profile`; the push service must already listen (Firefox connects at start-up). */
export async function launchFirefox(pushServiceWs: string, profile: FirefoxProfile): Promise<Browser> {
  const executablePath = await ensureDebianPackage('/usr/bin/firefox-esr', 'firefox-esr', { what: 'Firefox ESR' });
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    userDataDir: profile.dir,
    extraPrefsFirefox: {
      'dom.push.serverURL': pushServiceWs,
      // The remote agent turns push off; the test needs it on.
      'dom.push.connection.enabled': true,
      'dom.push.testing.allowInsecureServerURL': true,
      'dom.push.testing.ignorePermission': true,
      'permissions.default.desktop-notification': 1,
      // Headless, the system alert backend makes showNotification fail with NS_ERROR_FAILURE.
      'alerts.useSystemBackend': false,
      'dom.push.retryBaseInterval': 500,
      'dom.push.requestTimeout': 5000,
      'dom.push.maxQuotaPerSubscription': 100,
    },
  });
}

/**
 * The tab Firefox opens at start, for the test to drive. Not `browser.newPage()`: Firefox
 * ESR 140's remote agent opens a new tab in the most recent window, and when a
 * notification is showing (one stored while Firefox was closed arrives at start) that is
 * the notification's alert window, which has no tabs, so `browsingContext.create` fails.
 * Every Firefox opens a tab at start; a new one is opened only if it has gone.
 */
export async function firstTab(browser: Browser): Promise<Page> {
  const [tab] = await browser.pages();
  return tab ?? browser.newPage();
}
