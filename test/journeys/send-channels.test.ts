/**
 * A send step's channel choice, on SQLite, PostgreSQL and PostgreSQL + Redis, to the loopback
 * push service: `"channels": ["webpush"]` sends only to the user's Web Push devices (their
 * FCM device is not a recipient); a choice the user has no device on is skipped
 * (`no_device`); a channel name the filter language does not know is refused at save.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

for (const kind of DEPLOYMENTS) {
  describe(`journeys: a send step's channels (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let web: string;

    before(async () => {
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => T0 });
      sink = await startPushSink({ now: () => Math.floor(T0 / 1000) });
      app = await c.createApp();
      web = await userWithDevice(c, sink, app, 'ada', { language: 'en' });
      const fcm = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'fcm', token: 'pixel-token-0123456789abcdefghijklmnopqrstuvwxyz', userId: 'ada' }) });
      assert.equal(fcm.status, 201, JSON.stringify(fcm.body));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('only the devices on the chosen channels are sent to; a choice the user has no device on is skipped', async () => {
      const journey = await activeJourney(c, app, {
        name: 'Web only',
        trigger: { event: 'signed_up' },
        steps: [
          { send: { channels: ['apns'], content: { en: { title: 'On the iPhone' } } } },
          { send: { channels: ['webpush'], content: { en: { title: 'In the browser' } } } },
        ],
      });
      await track(c, app, 'ada', 'signed_up');
      await until('the run ended', async () => (await runsOf(c, app, journey, 'ada'))[0]?.state === 'ended');
      const [run] = await runsOf(c, app, journey, 'ada');
      assert.equal(run.endReason, 'completed');
      const skipped = run.timeline.find((e: { what: string }) => e.what === 'skipped: no_device');
      assert.equal(skipped?.step, '/steps/0', JSON.stringify(run.timeline));
      const sent = run.timeline.find((e: { what: string }) => e.what === 'sent');
      assert.equal(sent?.step, '/steps/1');
      const status = await c.waitCompleted(app.id, app.secretKey, sent.detail);
      assert.equal(status.counts.delivered, 1, JSON.stringify(status.counts));
      assert.equal(status.counts.targeted, 1, 'the FCM device is no recipient');
      assert.equal(status.counts.failed, 0, 'the FCM device (no credentials) was never tried');
      await drained(c);
      assert.deepEqual(titles(sink.receivedFor(web)), ['In the browser']);
      const stats = await c.api('GET', `/v1/apps/${app.id}/journeys/${journey}/stats`, { key: app.secretKey });
      assert.deepEqual(stats.body.steps.map((s: { skipped: number; sent: number }) => [s.sent, s.skipped]), [[0, 1], [1, 0]]);
      // The simulation shows the same: skipped where she has no device, sent (with its channels) where she has.
      const sim = await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/simulate`, { key: app.secretKey, body: { userId: 'ada' } });
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const seen = sim.body.timeline.filter((e: { step: string | null }) => e.step !== null).map((e: { step: string; what: string; detail?: { channels?: string[] } }) => [e.step, e.what, e.detail?.channels]);
      assert.deepEqual(seen, [['/steps/0', 'skipped', ['apns']], ['/steps/1', 'sent', ['webpush']]]);
    });

    test('channels are checked at save: known names, each once, at least one', async () => {
      for (const [channels, pointer] of [
        [['sms'], '#/steps/0/send/channels/0'],
        [['webpush', 'webpush'], '#/steps/0/send/channels/1'],
        [[], '#/steps/0/send/channels'],
        ['webpush', '#/steps/0/send/channels'],
      ] as const) {
        const res = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { event: 'e' }, steps: [{ send: { channels, content: { en: { title: 't' } } } }] } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'invalid_journey');
        assert.equal(res.body.pointer, pointer);
      }
      const ok = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { event: 'e' }, steps: [{ send: { channels: ['fcm', 'webpush'], content: { en: { title: 't' } } } }] } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.definition.steps[0].send.channels, ['fcm', 'webpush']);
    });
  });
}
