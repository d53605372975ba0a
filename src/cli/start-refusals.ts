import type { Config } from '../config/defaults.ts';
import { checkMasterKey } from '../crypto/key-check.ts';
import { resolveMasterKey } from '../crypto/master-key.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import { checkStoreWritable, openStore } from '../store/database.ts';

/**
 * The refusals of `carillon serve` that need only the store: a database that takes no
 * write, or a master key other than the one its secrets are sealed under. Run before the
 * server's modules load (some hundreds, seconds of start-up on a small machine), so that a
 * start that cannot succeed says why at once. createRuntime() checks the same again, in
 * the same order, for processes that build a runtime themselves; both checks only read,
 * but for the check value a first start writes.
 */
export async function refuseBadStart(config: Config): Promise<void> {
  const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, poolSize: 1 });
  try {
    const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
    await checkStoreWritable(store);
    await checkMasterKey(store.db, new SecretBox(masterKey.key), masterKey.source, Date.now());
  } finally {
    await store.close();
  }
}
