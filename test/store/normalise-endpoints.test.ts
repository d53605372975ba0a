import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrate } from '../../src/store/migrate.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of STORES) {
  describe(`migration 009 stores existing endpoints in their normal form (${kind})`, () => {
    let c: TestCarillon;
    before(async () => {
      c = await startCarillon(kind);
    });
    after(() => c.stop());

    test('rows take the normal form; where two meet, the one registered last stays with its tags', async () => {
      const app = await c.createApp();
      const db = c.ctx.store.db;
      const row = (id: string, address: string, updatedAt: number) => ({
        id, app_id: app.id, channel: 'webpush', address, p256dh: `k-${id}`, auth: 'a', environment: null, app_topic: null,
        user_id: null, tags: '{}', language: null, timezone: null, created_at: updatedAt, updated_at: updatedAt,
      });
      await db.insertInto('subscriptions').values([
        row('sub_old', 'https://push.example.net/x', 1000),
        row('sub_new', 'https://PUSH.example.net:443/x', 2000),
        row('sub_lone', 'https://Other.Example.NET/y', 1000),
        row('sub_stale', 'https://a.example.net/z', 3000),
        row('sub_stale_twin', 'https://A.example.net/z', 500),
        row('sub_ctl', 'https://b.example.net/a\nb', 1000),
        row('sub_ok', 'https://fcm.googleapis.com/fcm/send/abc:APA91', 1000),
      ]).execute();
      const seqOf = async (id: string) => Number((await db.selectFrom('subscriptions').select('seq').where('id', '=', id).executeTakeFirstOrThrow()).seq);
      await db.insertInto('subscription_tags').values({ subscription_seq: await seqOf('sub_old'), app_id: app.id, key: 'plan', value: 'pro' }).execute();
      await db.insertInto('subscription_tags').values({ subscription_seq: await seqOf('sub_stale_twin'), app_id: app.id, key: 'plan', value: 'free' }).execute();

      await sql`delete from schema_migrations where version = 9`.execute(db);
      assert.deepEqual(await migrate(db, c.ctx.store.caps.dialect), [9]);

      const rows = await db.selectFrom('subscriptions').select(['id', 'address']).where('app_id', '=', app.id).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => [r.id, r.address]), [
        ['sub_ctl', 'https://b.example.net/a\nb'],
        ['sub_lone', 'https://other.example.net/y'],
        ['sub_new', 'https://push.example.net/x'],
        ['sub_ok', 'https://fcm.googleapis.com/fcm/send/abc:APA91'],
        ['sub_stale', 'https://a.example.net/z'],
      ]);
      const tags = await db.selectFrom('subscription_tags').select(['value']).where('app_id', '=', app.id).execute();
      assert.deepEqual(tags, [], 'the tags of the removed rows went with them');
    });
  });
}
