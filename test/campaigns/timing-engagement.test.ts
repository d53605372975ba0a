/**
 * The engagement queries of intelligent delivery, on SQLite and PostgreSQL, over planted
 * events: what counts (displays and clicks of the last 90 days, through the user's
 * subscriptions, in this app) and what does not; then the best hours they lead to.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createApp, openAudienceStore, type AudienceStore } from '../audience/audience-store.ts';
import { appBestHour, bestHour } from '../../src/campaigns/timing/index.ts';
import { appEngagementRows, userEngagementTimes } from '../../src/campaigns/timing/engagement-query.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);

for (const engine of ENGINES) {
  describe(`intelligent delivery's engagement (${engine})`, () => {
    let store: AudienceStore;
    const app = `app_eng_${engine}`;
    const other = `app_other_${engine}`;

    before(async () => {
      store = await openAudienceStore(engine);
      const db = store.db;
      await createApp(db, app);
      await createApp(db, other);
      const user = (appId: string, externalId: string, timezone: string | null) => ({
        app_id: appId,
        external_id: externalId,
        language: null,
        timezone,
        country: null,
        lat: null,
        lon: null,
        created_at: 0,
        updated_at: 0,
        last_seen_at: null,
      });
      await db.insertInto('users').values([user(app, 'ana', 'Asia/Kolkata'), user(app, 'bo', 'America/New_York'), user(other, 'ana', 'UTC')]).execute();
      const sub = (id: string, appId: string, userId: string | null, timezone: string | null = null) => ({
        id,
        app_id: appId,
        channel: 'webpush',
        address: `https://push.example/${id}`,
        p256dh: null,
        auth: null,
        environment: null,
        app_topic: null,
        user_id: userId,
        tags: '{}',
        language: null,
        timezone,
        created_at: 0,
        updated_at: 0,
      });
      await db
        .insertInto('subscriptions')
        .values([sub('s_ana_phone', app, 'ana'), sub('s_ana_laptop', app, 'ana'), sub('s_bo', app, 'bo'), sub('s_anon', app, null, 'Pacific/Kiritimati'), sub('s_other_ana', other, 'ana')])
        .execute();
      const event = (appId: string, type: string, subscriptionId: string, time: number) => ({
        app_id: appId,
        type,
        notification_id: null,
        subscription_id: subscriptionId,
        action: null,
        dedupe_key: null,
        at: time,
        received_at: time,
      });
      await db
        .insertInto('events')
        .values([
          // Ana clicks around 20:xx IST (14:30Z-15:29Z) on both devices.
          event(app, 'clicked', 's_ana_phone', at('2026-11-20T14:40:00Z')),
          event(app, 'displayed', 's_ana_laptop', at('2026-11-22T15:10:00Z')),
          event(app, 'clicked', 's_ana_laptop', at('2026-11-25T14:31:00Z')),
          // Not counted for Ana: a dismissal, one older than 90 days, one after now, one in another app.
          event(app, 'dismissed', 's_ana_phone', at('2026-11-26T03:00:00Z')),
          event(app, 'clicked', 's_ana_phone', NOW - 91 * DAY),
          event(app, 'clicked', 's_ana_phone', NOW + 60_000),
          event(other, 'clicked', 's_other_ana', at('2026-11-27T03:00:00Z')),
          // Bo: two displays at 19:xx in New York.
          event(app, 'displayed', 's_bo', at('2026-11-20T00:10:00Z')),
          event(app, 'displayed', 's_bo', at('2026-11-21T00:50:00Z')),
          // An anonymous subscriber at Kiritimati, 19:xx there.
          event(app, 'clicked', 's_anon', at('2026-11-21T05:05:00Z')),
          event(app, 'clicked', 's_anon', at('2026-11-21T05:07:00Z')),
        ])
        .execute();
    });
    after(() => store.close());

    test('a page of users gets each user’s displays and clicks of the last 90 days, from all their devices, in this app only', async () => {
      const times = await userEngagementTimes(store.db, app, ['ana', 'bo', 'cy'], NOW);
      assert.deepEqual([...times.keys()].sort(), ['ana', 'bo']);
      assert.deepEqual([...times.get('ana')!].sort(), [at('2026-11-20T14:40:00Z'), at('2026-11-22T15:10:00Z'), at('2026-11-25T14:31:00Z')].sort());
      assert.equal(times.get('bo')!.length, 2);
      assert.equal((await userEngagementTimes(store.db, app, [], NOW)).size, 0);
      // Ana's own hour; Bo has too few and gets the app's.
      assert.deepEqual(bestHour(times.get('ana')!, 'Asia/Kolkata', { hour: 19, minute: 0 }, { hour: 10, minute: 0 }, NOW), { hour: 20, minute: 0, source: 'user', engagements: 3 });
      assert.equal(bestHour(times.get('bo')!, 'America/New_York', { hour: 19, minute: 0 }, { hour: 10, minute: 0 }, NOW).source, 'app');
    });

    test('the app’s rows are grouped by zone and quarter hour and lead to its most engaged local hour', async () => {
      const rows = await appEngagementRows(store.db, app, NOW);
      const sorted = rows.map((r) => `${r.zone} ${new Date(r.at).toISOString()} ${r.count}`).sort();
      assert.deepEqual(sorted, [
        'America/New_York 2026-11-20T00:00:00.000Z 1',
        'America/New_York 2026-11-21T00:45:00.000Z 1',
        'Asia/Kolkata 2026-11-20T14:30:00.000Z 1',
        'Asia/Kolkata 2026-11-22T15:00:00.000Z 1',
        'Asia/Kolkata 2026-11-25T14:30:00.000Z 1',
        'Pacific/Kiritimati 2026-11-21T05:00:00.000Z 2',
      ]);
      // 19:xx locally for four of seven (New York twice, Kiritimati twice), 20:xx for Ana's three;
      // too few for the app's minimum of 20, so planted again 3 times over.
      assert.equal(appBestHour(rows, 'UTC'), null);
      assert.deepEqual(appBestHour([...rows, ...rows, ...rows], 'UTC'), { hour: 19, minute: 0 });
    });
  });
}
