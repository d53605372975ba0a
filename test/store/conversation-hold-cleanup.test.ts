import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrate } from '../../src/store/migrate.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { nthPush, postReply, sendAnswerable, subscribe } from '../conversations/fixture.ts';

for (const kind of STORES) {
  describe(`migration 046 lets go of the hold on threads closed before closing did (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    before(async () => {
      c = await startCarillon(kind);
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a closed thread held by an operator is held by no one; an open one keeps its holder', async () => {
      const app = await c.createApp();
      const db = c.ctx.store.db;
      const thread = async (user: string) => {
        const sub = await subscribe(c, sink, app, user);
        await sendAnswerable(c, app, [sub.id], 'webhook');
        const { token, conversationId } = (await nthPush(sink, sub.sinkId, 1)).notification.data.reply;
        assert.equal((await postReply(c, { token, text: 'Can I talk to someone?' })).status, 200);
        return conversationId as string;
      };
      const closed = await thread('ana');
      const held = await thread('ben');
      await db.insertInto('operators').values({ id: 'opr_alice', email: 'alice@example.org', password_hash: 'x', admin: 0, totp_secret: null, totp_pending: null, totp_last_step: null, created_at: 1 }).execute();
      // As a close left a thread before: closed, still naming its holder.
      await db.updateTable('conversations').set({ state: 'closed', assignee: 'opr_alice', taken_at: 2 }).where('id', '=', closed).execute();
      await db.updateTable('conversations').set({ state: 'waiting_for_person', assignee: 'opr_alice', taken_at: 3 }).where('id', '=', held).execute();

      await sql`drop index conversation_messages_operator`.execute(db);
      await sql`delete from schema_migrations where version = 46`.execute(db);
      assert.deepEqual(await migrate(db, c.ctx.store.caps.dialect), [46]);

      const view = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/conversations/${id}`, { key: app.secretKey })).body;
      assert.equal((await view(closed)).assignee, null);
      assert.equal((await view(closed)).state, 'closed');
      assert.equal((await view(held)).assignee.email, 'alice@example.org');
      const mine = await db.selectFrom('conversations').select('id').where('assignee', '=', 'opr_alice').execute();
      assert.deepEqual(mine.map((r) => r.id), [held]);
    });
  });
}
