/**
 * A journey's limit (at most N runs per user per period) holds when the user's events come
 * at once. The race is made to happen, not hoped for: a second event reads the user's runs
 * (none yet), is held there while a first event's run starts and ends (the journey is all
 * instant steps, so the one-active-run index does not stop the second), then goes on to
 * start its own: it must find the limit reached. Then twenty events at once start one run.
 * On an injected clock, on SQLite and PostgreSQL (row locks).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { activeJourney, runsOf, type App } from './journey-fixture.ts';
import { handleJourneyEvents, type JourneyEventsData } from '../../src/journeys/journey-events.ts';
import type { Context } from '../../src/context.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const AT_ONCE = 20;

/**
 * The engine's context whose store holds the first read of a user's runs in order (the
 * entry check) until `release` resolves, the connection free meanwhile; every other query
 * goes on as usual.
 */
function heldAtEntryCheck(ctx: Context, release: Promise<void>): { ctx: Context; reached: Promise<void> } {
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  let held = false;
  const chain = (builder: object, ordered: boolean): object =>
    new Proxy(builder, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'execute' && ordered && !held) {
          held = true;
          return async (...args: unknown[]) => {
            const rows = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            reach();
            await release;
            return rows;
          };
        }
        return (...args: unknown[]) => {
          const out = (v as (...a: unknown[]) => unknown).apply(target, args);
          return out !== null && typeof out === 'object' && !(out instanceof Promise) ? chain(out, ordered || prop === 'orderBy') : out;
        };
      },
    });
  const db = new Proxy(ctx.store.db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === 'selectFrom') return (table: string) => (table === 'journey_runs' ? chain(target.selectFrom('journey_runs'), false) : target.selectFrom(table as 'journey_runs'));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ctx: { ...ctx, store: { ...ctx.store, db } }, reached };
}

for (const kind of STORES) {
  describe(`journeys: the run limit under events at once (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let app: App;
    let clock = T0;

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
    });

    const visit = (tag: string): JourneyEventsData => ({ appId: app.id, events: [{ userId: 'racer', name: 'visit', at: clock, properties: JSON.stringify({ tag }) }], fromServer: true });

    test('a second event that read the runs before the first run was written finds the limit reached once it goes on', async () => {
      const res = await c.api('PUT', `/v1/apps/${app.id}/users/racer`, { key: app.secretKey, body: { attributes: { visits: 0 } } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const id = await activeJourney(c, app, { name: 'once a day', trigger: { event: 'visit' }, reentry: { after: '1m' }, limit: { max: 1, per: '1d' }, steps: [{ update: { attributes: { greeted: true } } }] });
      let release!: () => void;
      const second = heldAtEntryCheck(c.ctx, new Promise<void>((r) => (release = r)));
      const late = handleJourneyEvents(second.ctx, visit('second'));
      await second.reached;
      await handleJourneyEvents(c.ctx, visit('first'));
      const first = await runsOf(c, app, id, 'racer');
      assert.deepEqual(first.map((r) => [r.state, r.endReason]), [['ended', 'completed']], 'the first run started and ended');
      release();
      await late;
      const runs = await runsOf(c, app, id, 'racer');
      assert.equal(runs.length, 1, `one run a day: ${JSON.stringify(runs.map((r) => r.timeline[0]))}`);

      // A day on, twenty events at once: the limit lets one more in, and only one.
      clock += 24 * 3_600_000 + 1;
      await Promise.all(Array.from({ length: AT_ONCE }, (_, i) => handleJourneyEvents(c.ctx, visit(`day two ${i}`))));
      const later = await runsOf(c, app, id, 'racer');
      assert.equal(later.length, 2);
      assert.ok(later.every((r) => r.state === 'ended' && r.endReason === 'completed'));
    });
  });
}
