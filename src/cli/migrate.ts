import { join } from 'node:path';
import type { Config } from '../config/defaults.ts';
import { openStore } from '../store/database.ts';
import { copySqliteToPostgres } from '../store/copy-store.ts';
import { MIGRATIONS } from '../store/migrate.ts';
import { ProgressBar } from './progress.ts';
import { resolveMasterKey } from '../crypto/master-key.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import { checkMasterKey } from '../crypto/key-check.ts';

/**
 * `carillon migrate`: brings the configured store to the current schema. With `--to URL`,
 * also copies an embedded installation (SQLite in the data folder) into a new PostgreSQL
 * database, which the scale-out set-up then uses.
 */
export async function migrate(config: Config, to?: string): Promise<void> {
  if (!to) {
    const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir });
    process.stdout.write(`${store.location}: schema at version ${MIGRATIONS.at(-1)!.version}\n`);
    await store.close();
    return;
  }
  if (!/^postgres(ql)?:\/\//.test(to)) throw new Error('--to must be a postgres:// URL');
  if (config.databaseUrl) throw new Error('--to copies the embedded SQLite store; unset DATABASE_URL so the source is the data folder');
  const source = await openStore({ dataDir: config.dataDir });
  // The check value travels with the rows: written here first if the data folder never
  // started since it existed, so the new database refuses a wrong key from its first start.
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  try {
    await checkMasterKey(source.db, new SecretBox(masterKey.key), masterKey.source, Date.now());
  } catch (err) {
    await source.close();
    throw err;
  }
  const target = await openStore({ databaseUrl: to, dataDir: config.dataDir });
  const bar = new ProgressBar();
  try {
    const counts = await copySqliteToPostgres(source.db, target.db, (table, copied, total) => bar.update(copied, total, table));
    bar.finish();
    const rows = Object.entries(counts).map(([t, n]) => `  ${t}: ${n}`);
    process.stdout.write(
      [
        `Copied ${source.location} into ${target.location}:`,
        ...rows,
        '',
        'Secrets in the store are sealed under the master key of the data folder. Give every',
        `process the same key: CARILLON_MASTER_KEY=$(cat ${join(config.dataDir, 'master.key')})`,
        `(unless CARILLON_MASTER_KEY was already set), and DATABASE_URL=${target.location}`,
        '',
      ].join('\n'),
    );
  } finally {
    await source.close();
    await target.close();
  }
}
