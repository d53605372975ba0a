/**
 * PostgreSQL lock order between a run's start and an `update` step: a start locks the user's
 * row, then adds to the step counts; an update step's move locks the run, writes the user,
 * then adds to the step counts. Users before step counts in both, so a start holding a user
 * and an update step of that user never wait for each other in a circle. Made deterministic
 * here: the test holds the user's row as a start does, lets the update step's move run into
 * it, then adds to the very count row the move adds to. With the counts written before the
 * user (the order this replaces), that is a deadlock PostgreSQL breaks by aborting one side.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { drained } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, track, until, type App } from './journey-fixture.ts';
import { advanceRun } from '../../src/journeys/run-engine.ts';
import { JOURNEY_COUNT_SHARDS } from '../../src/journeys/step-counts.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;

describe('journeys: lock order of a start and an update step (postgres)', { timeout: 60_000 }, () => {
  let c: TestCarillon;
  let app: App;
  let clock = T0;

  before(async () => {
    c = await startCarillon('postgres', {}, { now: () => clock });
    app = await c.createApp();
  });
  after(() => c.stop());

  test('an update step waiting for a user held by a start holds no step count the start adds to', async () => {
    const journey = await activeJourney(c, app, { name: 'tagging', trigger: { event: 'tag_me' }, steps: [{ wait: { duration: '1h' } }, { update: { attributes: { tagged: true } } }, { wait: { duration: '1h' } }] });
    assert.equal((await c.api('PUT', `/v1/apps/${app.id}/users/una`, { key: app.secretKey, body: { language: 'en' } })).status, 200);
    await track(c, app, 'una', 'tag_me');
    await until('una waits', async () => (await runsOf(c, app, journey, 'una'))[0]?.step === '/steps/0');
    await drained(c);
    const db = c.ctx.store.db;
    const run = await db.selectFrom('journey_runs').select(['id', 'token', 'user_seq']).where('journey_id', '=', journey).executeTakeFirstOrThrow();
    let moving: Promise<void> | undefined;
    await db.transaction().execute(async (tx) => {
      await sql`set local lock_timeout = '10s'`.execute(tx);
      await tx.selectFrom('users').select('seq').where('seq', '=', Number(run.user_seq)).forUpdate().execute();
      // The wait ends: the move onto the update step, then the update step's own move, which needs the user.
      clock = T0 + HOUR + 1_000;
      moving = advanceRun(c.ctx, Number(run.id), Number(run.token));
      await until('the update step waits for the user', async () => {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%"users"%'`.execute(db);
        return waiting.rows[0]!.n === 1;
      });
      // What a start of this user would add next: an entry of the step the update step moves the run to.
      await tx
        .insertInto('journey_step_counts')
        .values({ journey_id: journey, version: 1, step: '/steps/2', outcome: 'entered', shard: Number(run.id) % JOURNEY_COUNT_SHARDS, n: 0 })
        .onConflict((oc) => oc.columns(['journey_id', 'version', 'step', 'outcome', 'shard']).doUpdateSet((eb) => ({ n: eb('journey_step_counts.n', '+', 0) })))
        .execute();
    });
    await moving;
    const [moved] = await runsOf(c, app, journey, 'una');
    assert.equal(moved.step, '/steps/2');
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/una`, { key: app.secretKey })).body.attributes.tagged, true);
  });
});
