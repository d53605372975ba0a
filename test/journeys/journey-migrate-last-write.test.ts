/**
 * A run that a migration moves to a newer version while the engine is about to write its
 * last moves of a turn (instant steps worked out up to a timed one) goes on at once on the
 * new version: the engine's write, computed on the old version, is not made; the run is
 * found on the new one, its steps done again there, and it waits on the new version's step
 * with its timer, rather than staying due with no job until the reconcile finds it.
 *
 * The race is injected: the engine's store runs the migration just before the transaction
 * that would write those moves. On an injected clock, on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, until, type App } from './journey-fixture.ts';
import { handleJourneyEvents } from '../../src/journeys/journey-events.ts';
import type { Context } from '../../src/context.ts';
import type { Database } from '../../src/store/schema.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const DAY = 86_400_000;
const steps = (v: string) => [{ branch: { filter: { attribute: 'vip', op: 'eq', value: true }, then: [{ wait: { duration: '1d' } }, { send: { content: { en: { title: `${v} vip` } } } }], else: [{ wait: { duration: '1d' } }, { send: { content: { en: { title: `${v} other` } } } }] } }];

for (const kind of STORES) {
  describe(`journeys: a migration racing the engine's last write of a turn (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;

    /** The engine's context whose store runs `hook` once, before the `nth` transaction it opens. */
    const racing = (nth: number, hook: () => Promise<void>): Context => {
      let opened = 0;
      const db = c.ctx.store.db;
      const proxy = new Proxy(db, {
        get(target, key) {
          if (key === 'transaction') {
            return () => ({
              execute: async <T,>(fn: Parameters<ReturnType<Kysely<Database>['transaction']>['execute']>[0]) => {
                if (++opened === nth) await hook();
                return target.transaction().execute(fn) as Promise<T>;
              },
            });
          }
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return { ...c.ctx, store: { ...c.ctx.store, db: proxy } };
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the run is found on the new version and waits there with its timer', async () => {
      const device = await userWithDevice(c, sink, app, 'dee', { language: 'en' });
      const id = await activeJourney(c, app, { name: 'racing the last write', trigger: { event: 'go' }, steps: steps('v1') });
      const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}/journeys/${id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
      // The run's row commits (the first transaction); the branch and the wait after it are
      // worked out on version 1; then, before they are written, version 2 comes and the run is moved to it.
      const ctx = racing(2, async () => {
        assert.equal((await call('PATCH', '', { steps: steps('v2') })).body.version, 2);
        const moved = await call('POST', '/migrate', {});
        assert.equal(moved.body.moved, 1, JSON.stringify(moved.body));
      });
      await handleJourneyEvents(ctx, { appId: app.id, events: [{ userId: 'dee', name: 'go', at: clock, properties: '{}' }], fromServer: true });

      const [run] = await runsOf(c, app, id, 'dee');
      assert.deepEqual([run.version, run.state, run.step, run.dueAt], [2, 'active', '/steps/0/branch/else/0', new Date(clock + DAY).toISOString()], 'on version 2, waiting its day');
      const whats = run.timeline.map((e: { what: string }) => e.what);
      assert.equal(whats.filter((w: string) => w === 'migrated').length, 1, JSON.stringify(run.timeline));
      assert.equal(whats.filter((w: string) => w === 'branch: else').length, 1, 'the branch written once, on version 2');

      await drained(c);
      clock += DAY;
      await until('the send after the wait', () => sink.receivedFor(device).length === 1);
      await drained(c);
      assert.deepEqual(titles(sink.receivedFor(device)), ['v2 other']);
      await until('the run ended', async () => (await runsOf(c, app, id, 'dee'))[0].state === 'ended');
    });
  });
}
