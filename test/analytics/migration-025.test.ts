import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { rebuildRollups } from '../../src/analytics/rebuild.ts';
import { migrate } from '../../src/store/migrate.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

const T0 = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;

/** Every rollup and total row, as comparable lines. */
async function counts(c: TestCarillon): Promise<string[]> {
  const r = await sql<any>`select app_id, hour, type, campaign_id, notification_id, variant, category, channel, count, value_sum from activity_rollups`.execute(c.ctx.store.db);
  const t = await sql<any>`select app_id, hour, type, count, value_sum from activity_totals`.execute(c.ctx.store.db);
  return [
    ...r.rows.map((x) => `r|${x.app_id}|${Number(x.hour)}|${x.type}|${x.campaign_id}|${x.notification_id}|${x.variant}|${x.category}|${x.channel}|${Number(x.count)}|${Number(x.value_sum)}`),
    ...t.rows.map((x) => `t|${x.app_id}|${Number(x.hour)}|${x.type}|${Number(x.count)}|${Number(x.value_sum)}`),
  ].sort();
}

// A log written before migration 025 counted every button's click in `clicked`: the migration
// marks the repeats and corrects the rollups to what a rebuild from the log counts now.
for (const kind of STORES) {
  describe(`migration 025 on a log written before it (${kind})`, () => {
    let c: TestCarillon;
    before(async () => {
      c = await startCarillon(kind);
    });
    after(() => c.stop());

    test('repeats are marked by seq, clicked counts each recipient once, each button gets its count', async () => {
      const app = await c.createApp();
      const db = c.ctx.store.db;
      const dialect = c.ctx.store.caps.dialect;
      // Back to the schema before 025.
      await sql`drop table webhook_attempts`.execute(db);
      await sql`drop table recipient_clicks`.execute(db);
      await sql`alter table activity drop column repeated`.execute(db);
      await sql`alter table activity drop column counted_action`.execute(db);
      await sql`delete from schema_migrations where version = 25`.execute(db);
      const click = (sub: string | null, action: string | null, at: number) => sql`(${app.id}, 'clicked', ${at}, 'ntf_a', 'cmp_a', 'A', 'promotions', 'webpush', ${sub}, null, ${action}, null, null)`;
      await sql`insert into activity (app_id, type, at, notification_id, campaign_id, variant, category, channel, subscription_id, user_id, action, value, data) values
        ${sql.join([
          click('sub_1', 'buy', T0),
          click('sub_1', 'later', T0 + 60_000),
          click('sub_1', null, T0 + HOUR),
          click('sub_2', 'later', T0),
          click(null, 'buy', T0), // an erased recipient's: counted, it cannot be told apart
          click(null, 'later', T0),
        ])}`.execute(db);
      await sql`insert into activity (app_id, type, at, notification_id, campaign_id, variant, category, channel, subscription_id, user_id, action, value, data)
        values (${app.id}, 'delivered', ${T0}, 'ntf_a', 'cmp_a', 'A', 'promotions', 'webpush', 'sub_1', null, null, null, null)`.execute(db);
      // The rollups as the code before 025 counted them: every row.
      const dims = sql`app_id, at - (at % ${sql.lit(HOUR)}), coalesce(campaign_id, ''), coalesce(notification_id, ''), coalesce(variant, ''), coalesce(category, ''), coalesce(channel, '')`;
      await sql`insert into activity_rollups (app_id, hour, campaign_id, notification_id, variant, category, channel, type, count, value_sum)
        select ${dims}, type, count(*), 0 from activity where app_id = ${app.id} group by ${dims}, type`.execute(db);
      await sql`insert into activity_totals (app_id, hour, type, count, value_sum)
        select app_id, hour, type, sum(count), 0 from activity_rollups where app_id = ${app.id} group by app_id, hour, type`.execute(db);
      const clickedBefore = await db.selectFrom('activity_totals').select(['hour', 'count']).where('app_id', '=', app.id).where('type', '=', 'clicked').orderBy('hour').execute();
      assert.deepEqual(clickedBefore.map((r) => Number(r.count)), [5, 1]);

      assert.deepEqual(await migrate(db, dialect), [25]);
      const rows = await sql<any>`select subscription_id, action, repeated from activity where app_id = ${app.id} and type = 'clicked' order by seq`.execute(db);
      assert.deepEqual(rows.rows.map((r) => [r.subscription_id, r.action, Number(r.repeated)]), [
        ['sub_1', 'buy', 0], ['sub_1', 'later', 1], ['sub_1', null, 1], ['sub_2', 'later', 0], [null, 'buy', 0], [null, 'later', 0],
      ]);
      const migrated = await counts(c);
      assert.ok(migrated.includes(`t|${app.id}|${T0}|clicked|4|0`), migrated.join('\n'));
      assert.ok(!migrated.some((l) => l.startsWith(`t|${app.id}|${T0 + HOUR}|clicked`)), 'an hour with only a repeat has no click left');
      assert.ok(migrated.includes(`r|${app.id}|${T0}|clicked:later|cmp_a|ntf_a|A|promotions|webpush|3|0`), migrated.join('\n'));
      await rebuildRollups(db, dialect, { since: 0, appId: app.id });
      assert.deepEqual(await counts(c), migrated, 'the migration counts what a rebuild from the log counts');
    });
  });
}
