import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from './secret-box.ts';

/** The text whose HMAC proves the key; any constant works, it only has to stay the same. */
const CHECK_TEXT = 'carillon master key check v1';
const CHECK_CONTEXT = 'master-key-check';
const CHECK_ROW = 1;

/**
 * This process's master key is not the one the database's secrets are sealed under.
 * Started anyway, it would fail every send whose secrets it cannot open.
 */
export class MasterKeyMismatchError extends Error {
  override readonly name = 'MasterKeyMismatchError';
  readonly code = 'master_key_mismatch';

  constructor(
    /** Fingerprint of the key the database expects (as sealed values name it; not secret). */
    readonly expectedKeyId: string,
    /** Fingerprint of this process's key. */
    readonly keyId: string,
    /** Where this process's key came from: `config` or the key file's path. */
    source: string,
  ) {
    const from = source === 'config' ? 'CARILLON_MASTER_KEY' : source;
    // One line, saying what to set: it is what the operator reads before anything else.
    super(
      `master key mismatch: this database's secrets are sealed under master key ${expectedKeyId}, but the key from ${from} is ${keyId}; ` +
        'set CARILLON_MASTER_KEY (or data/master.key in the data folder) to the key this database was set up with',
    );
  }
}

/**
 * Refuses a master key other than the database's. The first start that finds no check
 * value writes one: from its own key when the database holds no sealed secret yet, or
 * once its key is seen to hold the ones there (a database made before the check existed).
 * Two processes racing on a new database agree on whichever wrote first.
 *
 * @throws MasterKeyMismatchError
 */
export async function checkMasterKey(db: Kysely<Database>, secrets: SecretBox, source: string, now: number): Promise<void> {
  let row = await db.selectFrom('master_key_check').select(['key_id', 'mac']).where('id', '=', CHECK_ROW).executeTakeFirst();
  if (!row) {
    const sealed = await anySealedSecret(db);
    if (sealed !== undefined && !secrets.holdsKeyOf(sealed)) throw new MasterKeyMismatchError(sealed.split('.')[1] ?? '?', secrets.keyId, source);
    await db
      .insertInto('master_key_check')
      .values({ id: CHECK_ROW, key_id: secrets.keyId, mac: secrets.mac(CHECK_TEXT, CHECK_CONTEXT), created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    row = await db.selectFrom('master_key_check').select(['key_id', 'mac']).where('id', '=', CHECK_ROW).executeTakeFirstOrThrow();
  }
  if (!secrets.verifyMac(CHECK_TEXT, CHECK_CONTEXT, row.mac)) throw new MasterKeyMismatchError(row.key_id, secrets.keyId, source);
}

/** One sealed value of the database, if it holds any: VAPID keys and provider credentials. */
async function anySealedSecret(db: Kysely<Database>): Promise<string | undefined> {
  const app = await db.selectFrom('apps').select('vapid_private_key').orderBy('created_at').limit(1).executeTakeFirst();
  if (app) return app.vapid_private_key;
  const cred = await db.selectFrom('app_credentials').select('sealed').limit(1).executeTakeFirst();
  return cred?.sealed;
}
