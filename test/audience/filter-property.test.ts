/**
 * The SQL compiler against the in-memory evaluator (the oracle): on one seeded random
 * audience per engine, random valid filters must select the same subscriptions, in the
 * same order (with semi-joins asked as sets or as probes), with the same counts, and
 * whereUsers the same users.
 *
 * Reproduce a failure with the seed it prints: CARILLON_TEST_SEED=<seed> npm test -- test/audience/filter-property
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileContext, countAudience, evaluateAudience, expandSegments, matchesUser, subscriptionsMatching, whereUsers, type AudienceUser, type Filter,
} from '../../src/audience/filter/index.ts';
import { filters, SEGMENTS, users as randomUsers } from './arbitraries.ts';
import { createApp, ENGINES, insertUsers, openAudienceStore, type AudienceStore } from './audience-store.ts';
import { NOW } from './fixtures.ts';

const SEED = Number(process.env.CARILLON_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const USERS = 150;
const FILTERS = 200;

async function expand(f: Filter): Promise<Filter> {
  const r = await expandSegments(f, async (id) => SEGMENTS[id]);
  if (!r.ok) throw new Error(r.error.message);
  return r.filter;
}

for (const engine of ENGINES) {
  describe(`SQL agrees with the evaluator on ${engine} (seed ${SEED})`, () => {
    let store: AudienceStore;
    let users: AudienceUser[];

    before(async () => {
      store = await openAudienceStore(engine);
      await createApp(store.db, 'app_a');
      await createApp(store.db, 'app_b');
      users = fc.sample(randomUsers(USERS), { seed: SEED, numRuns: 1 })[0]!;
      await insertUsers(store.db, 'app_a', users);
      // A second app with other people under the same ids: they must never show.
      const others = fc.sample(randomUsers(30), { seed: SEED + 1, numRuns: 1 })[0]!;
      others.forEach((u) => u.subscriptions.forEach((s) => (s.id = `b_${s.id}`)));
      await insertUsers(store.db, 'app_b', others);
    });
    after(() => store.close());

    test(`${FILTERS} random filters: the same subscriptions, counts and users`, async () => {
      const opts = { now: NOW, caps: store.caps };
      const ctx = await compileContext(store.db, 'app_a', opts, 'set');
      const probe = await compileContext(store.db, 'app_a', opts, 'probe');
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(filters, async (input) => {
          const f = await expand(input);
          const oracle = evaluateAudience(f, users, NOW);
          for (const form of ['probe', 'set'] as const) {
            const page = await subscriptionsMatching(store.db, 'app_a', f, { ...opts, afterSeq: 0, limit: 100_000, form });
            assert.deepEqual(page.map((s) => s.id), oracle.subscriptionIds, `subscriptions (${form})`);
          }
          assert.deepEqual(await countAudience(store.db, 'app_a', f, opts), oracle.count, 'counts');
          const members = users.filter((u) => matchesUser(f, u, NOW)).map((u) => u.externalId);
          for (const c of [ctx, probe]) {
            const rows = await store.db.selectFrom('users').select('external_id').where('app_id', '=', 'app_a').where(whereUsers(f, c)).orderBy('seq').execute();
            assert.deepEqual(rows.map((r) => r.external_id), members, `users (${c.form})`);
          }
          if (oracle.subscriptionIds.length > 0) nonEmpty++;
        }),
        { numRuns: FILTERS, seed: SEED, endOnFailure: true, reporter: (out) => { if (out.failed) throw new Error(`CARILLON_TEST_SEED=${SEED}: ${fc.defaultReportMessage(out)}`); } },
      );
      // Filters that select nothing agree too easily: most must select someone.
      assert.ok(nonEmpty > FILTERS / 3, `only ${nonEmpty} of ${FILTERS} filters selected anyone`);
    });
  });
}
