import type { Config } from '../config/defaults.ts';
import { rebuildRollups } from '../analytics/rebuild.ts';
import { retentionCutoff } from '../analytics/retention.ts';
import { openStore } from '../store/database.ts';

/**
 * `carillon analytics rebuild`: recounts the hourly rollups from the raw activity log, in
 * the store itself (no server needed; a running one may go on writing meanwhile). By
 * default every hour the retention still keeps raw rows of; `--since` narrows it.
 */
export async function rebuildAnalytics(config: Config, opts: { app?: string; since?: string }): Promise<void> {
  let since = retentionCutoff(Date.now(), config.activityRetentionDays);
  if (opts.since !== undefined) {
    const ms = Date.parse(opts.since);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(opts.since) || Number.isNaN(ms)) throw new Error(`--since "${opts.since}" is not an RFC 3339 date-time`);
    // Earlier than the retention's cutoff, the raw rows are partly gone: recounting those hours would lose counts.
    if (ms < since) throw new Error(`--since is before the raw log's retention (${new Date(since).toISOString()}); those hours cannot be recounted`);
    since = ms;
  }
  const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir });
  try {
    const started = Date.now();
    const { rows } = await rebuildRollups(store.db, store.caps.dialect, { since, ...(opts.app !== undefined ? { appId: opts.app } : {}) });
    process.stdout.write(`${store.location}: rollups from ${new Date(since - (since % 3_600_000)).toISOString()} rebuilt${opts.app ? ` for ${opts.app}` : ''}: ${rows} rows in ${Date.now() - started} ms\n`);
  } finally {
    await store.close();
  }
}
