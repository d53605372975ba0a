/**
 * Debian's Chromium driven by playwright-core, for the browser SDK tests. Installed with apt
 * when missing and we are root; a fresh profile per launch, removed at close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ensureDebianPackage } from '../../scripts/services/apt.ts';

// Offline and quiet: nothing reaches Google's services, no first-run UI. Playwright adds --headless.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** `locale` and `timezoneId` as Playwright sets them: what navigator.language and Intl report in the pages. */
export async function launchChromium(opts: { env?: Record<string, string>; locale?: string; timezoneId?: string } = {}): Promise<LaunchedChromium> {
  const executablePath = await ensureDebianPackage('/usr/bin/chromium', 'chromium');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'carillon-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: FLAGS,
    env: { ...process.env, ...opts.env } as Record<string, string>,
    ...(opts.locale !== undefined ? { locale: opts.locale } : {}),
    ...(opts.timezoneId !== undefined ? { timezoneId: opts.timezoneId } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
