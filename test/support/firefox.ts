/**
 * Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi, pointed at Carillon's
 * own push service. The prefs are the ones Firefox needs to speak its push protocol to a
 * local, plain-WebSocket server from a headless, remote-controlled profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ensureDebianFile, ensureDebianPackage } from '../../scripts/services/apt.ts';

export interface FirefoxProfile {
  dir: string;
  remove(): void;
}

export function newFirefoxProfile(): FirefoxProfile {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-firefox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface FirefoxOptions {
  /**
   * A desktop notification server's D-Bus address (test/support/notification-daemon.ts):
   * Firefox then shows notifications through it, as on a Linux desktop, and a test clicks
   * them there. Without it, headless Firefox shows them in alert windows no test can click.
   */
  desktopBus?: string;
}

/** Starts Firefox on `profile`; the push service must already listen (Firefox connects at start-up). */
export async function launchFirefox(pushServiceWs: string, profile: FirefoxProfile, opts: FirefoxOptions = {}): Promise<Browser> {
  const executablePath = await ensureDebianPackage('/usr/bin/firefox-esr', 'firefox-esr', { what: 'Firefox ESR' });
  // Firefox loads libnotify by name when it shows a notification; the package does not depend on it.
  if (opts.desktopBus !== undefined) await ensureDebianFile('/usr/lib/*/libnotify.so.4', 'libnotify4', { what: 'libnotify' });
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    userDataDir: profile.dir,
    ...(opts.desktopBus !== undefined ? { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: opts.desktopBus } } : {}),
    extraPrefsFirefox: {
      'dom.push.serverURL': pushServiceWs,
      // The remote agent turns push off; the test needs it on.
      'dom.push.connection.enabled': true,
      'dom.push.testing.allowInsecureServerURL': true,
      'dom.push.testing.ignorePermission': true,
      'permissions.default.desktop-notification': 1,
      // The system backend (libnotify over D-Bus) needs a notification server on the session
      // bus: without one, ESR 153's showNotification fails with NS_ERROR_FAILURE.
      'alerts.useSystemBackend': opts.desktopBus !== undefined,
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
