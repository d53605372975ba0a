import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadLocatedUsers } from '../../src/alerts/area/load-located-users.ts';
import { compileArea, containsPoint, zoneKey } from '../../src/protocol/cap/area.ts';
import { parseCap } from '../../src/protocol/cap/parse.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';
import { capSample } from './cap-vectors.ts';

/** An alert's area resolved over users read from each database: by location and by chosen zone. */
for (const kind of STORES) {
  describe(`located users from the store (${kind})`, () => {
    let store: Store;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-located-'));
      store = await openStore(kind === 'sqlite' ? { dataDir: dir } : { databaseUrl: await createTestDatabase(), dataDir: dir });
      for (const id of ['app_a', 'app_b']) {
        await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values (${id}, ${id}, 'k', 'k', 'mailto:a@b.c', 0)`.execute(store.db);
      }
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the A.2 thunderstorm reaches the users inside its polygon and those who chose its SAME counties', async () => {
      const users: Array<{ id: string; lat: number | null; lon: number | null; zones: string[] }> = [];
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < 3000; i++) {
        const located = i % 4 !== 3;
        users.push({
          id: `u${i}`,
          lat: located ? 38.2 + rnd() * 0.6 : null,
          lon: located ? -120.3 + rnd() * 0.7 : null,
          zones: i % 7 === 0 ? [zoneKey('SAME', i % 14 === 0 ? '006109' : '006037')] : [],
        });
      }
      for (let i = 0; i < users.length; i += 500) {
        await store.db.insertInto('users').values(users.slice(i, i + 500).map((u) => ({ app_id: 'app_a', external_id: u.id, language: null, timezone: null, country: null, lat: u.lat, lon: u.lon, created_at: 0, updated_at: 0, last_seen_at: null, quiet_hours: null }))).execute();
      }
      const zoneRows = users.flatMap((u) => u.zones.map((zone) => ({ app_id: 'app_a', external_id: u.id, zone })));
      zoneRows.push({ app_id: 'app_a', external_id: 'not-a-user-yet', zone: 'SAME:006003' });
      await store.db.insertInto('user_alert_zones').values(zoneRows).execute();
      // Another app's user in the same place is not this app's.
      await store.db.insertInto('users').values({ app_id: 'app_b', external_id: 'u0', language: null, timezone: null, country: null, lat: 38.5, lon: -119.9, created_at: 0, updated_at: 0, last_seen_at: null, quiet_hours: null }).execute();

      const shape = compileArea(parseCap(capSample('02')).infos[0]!.areas);
      // Small pages, so the keyset paging of both tables is what is tested.
      const { index, externalIds } = await loadLocatedUsers(store.db, 'app_a', { pageSize: 97 });
      const found = new Set([...index.resolve(shape)].map((i) => externalIds[i]!));
      const expected = new Set(users.filter((u) => (u.lat !== null && containsPoint(shape, u.lat, u.lon!)) || u.zones.includes('SAME:006109')).map((u) => u.id));
      expected.add('not-a-user-yet');
      assert.ok(expected.size > 300, `a real share of users is in the area (${expected.size})`);
      assert.deepEqual([...found].sort(), [...expected].sort());
      const nowhere = users.filter((u) => u.lat === null && u.zones.length === 0).map((u) => u.id);
      assert.ok(nowhere.every((id) => !externalIds.includes(id)), 'users with neither a location nor a zone are not loaded');
      const other = await loadLocatedUsers(store.db, 'app_b');
      assert.deepEqual(other.externalIds, ['u0']);
    });
  });
}
