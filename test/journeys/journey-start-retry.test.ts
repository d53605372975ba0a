/**
 * A run whose start was cut short goes on when the trigger's job is retried. The job that
 * handles a tracked event is not done until its runs have started and run their instant
 * steps; a kill -9 (or a failure) between the run's row and those steps leaves the run due
 * with no job of its own, and the job is tried again. The retry must go on with that run,
 * not take it for a run the user already has and leave it stranded. (A timed first step's
 * timer commits with the run's row, so there the first try leaves nothing at all.)
 *
 * The crash point is injected: the first try's queue refuses the job a step adds in its
 * commit (the send's fan-out, the first wait's timer), as a kill at that instant would lose
 * it. On an injected clock, on SQLite, PostgreSQL and PostgreSQL + Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, until, type App } from './journey-fixture.ts';
import { handleJourneyEvents, type JourneyEventsData } from '../../src/journeys/journey-events.ts';
import type { Context } from '../../src/context.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const send = (title: string) => ({ send: { content: { en: { title } } } });

for (const kind of DEPLOYMENTS) {
  describe(`journeys: a start cut short is gone on with by the retried job (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));

    /** The trigger's job data for one event of the user, as /track queues it. */
    const kick = (userId: string, name: string): JourneyEventsData => ({ appId: app.id, events: [{ userId, name, at: clock, properties: '{}' }], fromServer: true });

    /** The engine's context whose queue refuses every job: the first try dies at the first commit that adds one. */
    const dying = (): Context => ({
      ...c.ctx,
      queue: {
        ...c.ctx.queue,
        add: async (jobs) => {
          throw new Error(`killed while adding ${jobs.map((j) => j.name).join(', ')}`);
        },
      },
    });

    /**
     * Past a timer's instant once the queue is idle. BullMQ keeps delayed jobs on its own
     * clock: on Redis the jump lands a minute later, and the reconcile (two short leases)
     * finds the overdue run in the store, as in abandoned-cart.test.ts.
     */
    const pastTimer = async (ms: number) => {
      await drained(c);
      clock += ms + (kind === 'postgres+redis' ? 60_000 : 0);
    };

    before(async () => {
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('cut short on its first step, a send (the run committed on it, the send not): the retry sends it once and goes on', async () => {
      device.set('s1', await userWithDevice(c, sink, app, 's1', { language: 'en' }));
      const id = await activeJourney(c, app, { name: 'send first', trigger: { event: 'send_first' }, steps: [send('first'), { wait: { duration: '1h' } }, send('second')] });
      const data = kick('s1', 'send_first');
      await assert.rejects(handleJourneyEvents(dying(), data), /killed while adding/);
      const [cut] = await runsOf(c, app, id, 's1');
      assert.deepEqual([cut.state, cut.step, cut.dueAt], ['active', '/steps/0', new Date(clock).toISOString()], 'left on its first step, due');
      assert.equal((await c.ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', app.id).execute()).length, 0, 'nothing sent');

      await handleJourneyEvents(c.ctx, data);
      await until('the first step sent', () => got('s1').length === 1);
      const [waiting] = await runsOf(c, app, id, 's1');
      assert.deepEqual([waiting.state, waiting.step, waiting.dueAt], ['active', '/steps/1', new Date(clock + HOUR).toISOString()]);
      // A third try (the job retried once more) changes nothing.
      await handleJourneyEvents(c.ctx, data);
      await pastTimer(HOUR);
      await until('the second step sent', () => got('s1').length === 2);
      await until('the run ended', async () => (await runsOf(c, app, id, 's1'))[0].state === 'ended');
      assert.deepEqual(got('s1'), ['first', 'second']);
      const runs = await runsOf(c, app, id, 's1');
      assert.equal(runs.length, 1, 'one run for the event');
      assert.equal(runs[0].endReason, 'completed');
    });

    test('cut short at its first step, a wait (the run and its timer are one commit): nothing of it is stored, and the retry puts it on the wait with its timer', async () => {
      device.set('w1', await userWithDevice(c, sink, app, 'w1', { language: 'en' }));
      const id = await activeJourney(c, app, { name: 'wait first', trigger: { event: 'wait_first' }, steps: [{ wait: { duration: '1h' } }, send('after the wait')] });
      const data = kick('w1', 'wait_first');
      await assert.rejects(handleJourneyEvents(dying(), data), /killed while adding journey-step/);
      assert.deepEqual(await runsOf(c, app, id, 'w1'), [], 'no run without its timer');
      const stats = await c.api('GET', `/v1/apps/${app.id}/journeys/${id}/stats`, { key: app.secretKey });
      assert.equal(stats.body.steps.find((s: { step: string }) => s.step === '/steps/0')?.entered ?? 0, 0, 'its entry not counted');

      await handleJourneyEvents(c.ctx, data);
      const [waiting] = await runsOf(c, app, id, 'w1');
      assert.deepEqual([waiting.state, waiting.step, waiting.dueAt], ['active', '/steps/0', new Date(clock + HOUR).toISOString()], 'on the wait, its timer set');
      await pastTimer(HOUR);
      await until('sent after the wait', () => got('w1').length === 1);
      await until('the run ended', async () => (await runsOf(c, app, id, 'w1'))[0].state === 'ended');
      assert.deepEqual(got('w1'), ['after the wait']);
      assert.equal((await runsOf(c, app, id, 'w1')).length, 1);
    });
  });
}
