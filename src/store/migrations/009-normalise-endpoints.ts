import type { Kysely } from 'kysely';

/**
 * Web Push endpoints were stored as the client wrote them, so `https://Push.Example.NET:443/a`
 * and `https://push.example.net/a` were two subscriptions. They are now stored in their
 * WHATWG URL serialisation (src/transport/endpoint-url.ts `normalizeEndpoint`, repeated
 * here: a migration is frozen when released). Rows become that form; where two rows of one
 * app meet in one form, the one registered last is kept (it has the browser's current
 * keys) and the other removed. Rows holding control characters, which registration now
 * refuses, are left as they are: they are not a URL the parser would read unchanged.
 */
const PAGE = 1000;

function normalise(address: string): string | undefined {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(address)) return undefined;
  try {
    return new URL(address).href;
  } catch {
    return undefined;
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('subscriptions')
      .select(['seq', 'app_id', 'address', 'updated_at'])
      .where('channel', '=', 'webpush')
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const normal = normalise(row.address);
      if (normal === undefined || normal === row.address) continue;
      const twin = await db
        .selectFrom('subscriptions')
        .select(['seq', 'updated_at'])
        .where('app_id', '=', row.app_id)
        .where('channel', '=', 'webpush')
        .where('address', '=', normal)
        .executeTakeFirst();
      if (twin && Number(twin.updated_at) >= Number(row.updated_at)) {
        await remove(db, Number(row.seq));
        continue;
      }
      if (twin) await remove(db, Number(twin.seq));
      await db.updateTable('subscriptions').set({ address: normal }).where('seq', '=', row.seq).execute();
    }
    if (rows.length < PAGE) return;
    after = Number(rows.at(-1)!.seq);
  }
}

async function remove(db: Kysely<any>, seq: number): Promise<void> {
  await db.deleteFrom('subscription_tags').where('subscription_seq', '=', seq).execute();
  await db.deleteFrom('subscriptions').where('seq', '=', seq).execute();
}
