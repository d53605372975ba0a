/**
 * Webhook steps end to end, on SQLite, PostgreSQL and PostgreSQL + Redis, on an injected
 * clock, to a real local HTTP receiver and the loopback push service: the call carries the
 * user and the trigger event, signed as the outgoing webhooks are (verified with the
 * Standard Webhooks reference library), under one step key for every attempt; a failed call
 * is tried again on the schedule, and the run goes on after a success or after the last
 * attempt. The simulation calls nothing. URLs pass the webhook endpoints' address rule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { signedBy, startReceiver, startWebhookCarillon, type Receiver } from '../webhooks/harness.ts';
import { runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { WEBHOOK_STEP_RETRIES_MS } from '../../src/journeys/webhook-step.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

for (const kind of DEPLOYMENTS) {
  describe(`journeys: webhook steps (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let receiver: Receiver;
    let app: App;
    let clock = T0;
    let web: string;
    // As in abandoned-cart.test.ts: the clock moves once the queue is idle, and on Redis a
    // minute further each time, so the reconcile finds the timers BullMQ keeps on its own clock.
    let jumps = 0;
    const jump = async (to: number) => {
      await drained(c);
      clock = to + (kind === 'postgres+redis' ? ++jumps * 60_000 : 0);
    };
    const save = async (body: unknown): Promise<{ id: string; secret: string }> => {
      const created = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.webhookSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      const activated = await c.api('POST', `/v1/apps/${app.id}/journeys/${created.body.id}/activate`, { key: app.secretKey });
      assert.equal(activated.status, 200);
      assert.equal(activated.body.webhookSecret, undefined, 'the secret is answered to a save only');
      return { id: created.body.id, secret: created.body.webhookSecret };
    };

    before(async () => {
      // retryMax as startCarillon sets it: the reconcile finds a timer lost once two leases and retryMax have passed.
      c = await startWebhookCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000, retryMax: 2_000 } : { retryMax: 2_000 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      receiver = await startReceiver();
      app = await c.createApp();
      web = await userWithDevice(c, sink, app, 'ada', { language: 'en', attributes: { plan: 'pro' } });
    });
    after(async () => {
      await c.stop();
      await sink.close();
      await receiver.close();
    });

    test('the call carries the user and the event, signed, under one step key; a 500 is tried again and the run goes on after the 200', async () => {
      const { id: journey, secret } = await save({
        name: 'Order to CRM',
        trigger: { event: 'order_placed' },
        steps: [{ webhook: { url: receiver.url, timeoutMs: 2_000 } }, { send: { content: { en: { title: 'Order {{ event.properties.order }} is in' } } } }],
      });
      receiver.answer({ status: 500 });
      await track(c, app, 'ada', 'order_placed', { order: 'A-17', total: 42 });
      await until('the first call', () => receiver.received.length === 1);
      await until('the run waits for its retry', async () => (await runsOf(c, app, journey, 'ada'))[0]?.timeline.some((e: { what: string }) => e.what === 'webhook retry'));
      const [held] = await runsOf(c, app, journey, 'ada');
      assert.equal(held.step, '/steps/0');
      assert.equal(held.dueAt, new Date(T0 + WEBHOOK_STEP_RETRIES_MS[0]!).toISOString());
      assert.equal(titles(sink.receivedFor(web)).length, 0, 'nothing sent before the call is taken');

      await jump(T0 + WEBHOOK_STEP_RETRIES_MS[0]!);
      await until('the second call', () => receiver.received.length === 2);
      await until('the push after the call', () => sink.receivedFor(web).length === 1);
      assert.deepEqual(titles(sink.receivedFor(web)), ['Order A-17 is in']);

      const [first, second] = receiver.received;
      for (const r of [first!, second!]) assert.ok(signedBy(secret, r), 'signed with the secret answered at save (Standard Webhooks)');
      assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id'], 'one step key for every attempt');
      assert.equal(first!.headers['carillon-journey-step'], first!.headers['webhook-id']);
      const payload = JSON.parse(second!.body);
      assert.equal(payload.type, 'journey.webhook');
      assert.equal(payload.data.journeyId, journey);
      assert.equal(payload.data.step, '/steps/0');
      assert.equal(payload.data.attempt, 2);
      assert.deepEqual(payload.data.user, { id: 'ada', language: 'en', timezone: null, country: null, attributes: { plan: 'pro' } });
      assert.deepEqual(payload.data.event.properties, { order: 'A-17', total: 42 });
      assert.equal(payload.data.event.name, 'order_placed');

      await until('the run completed', async () => (await runsOf(c, app, journey, 'ada'))[0].endReason === 'completed');
      const stats = await c.api('GET', `/v1/apps/${app.id}/journeys/${journey}/stats`, { key: app.secretKey });
      assert.deepEqual(stats.body.steps.map((s: { kind: string; entered: number; sent: number; skipped: number }) => [s.kind, s.entered, s.sent, s.skipped]), [['webhook', 1, 1, 0], ['send', 1, 1, 0]]);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test('a receiver that never takes the call: five attempts on the schedule, counted with the run, then the run goes on without it (skipped)', async () => {
      receiver.received.length = 0;
      receiver.setDefault({ status: 503 });
      const { id: journey } = await save({ name: 'Flaky', trigger: { event: 'flaky' }, steps: [{ webhook: { url: receiver.url } }, { update: { attributes: { synced: false } } }] });
      let at = clock;
      await track(c, app, 'ada', 'flaky');
      for (const [i, delay] of WEBHOOK_STEP_RETRIES_MS.entries()) {
        await until(`attempt ${i + 1}`, () => receiver.received.length === i + 1);
        await until(`the run holds for attempt ${i + 2}`, async () => (await runsOf(c, app, journey, 'ada'))[0].dueAt === new Date(clock + delay).toISOString());
        // The timeline keeps a run's latest 100 entries: the count of attempts is not taken from it.
        if (i === 1) await c.ctx.store.db.updateTable('journey_runs').set({ timeline: '[]' }).where('journey_id', '=', journey).execute();
        at = clock + delay;
        await jump(at);
      }
      await until('the last attempt', () => receiver.received.length === WEBHOOK_STEP_RETRIES_MS.length + 1);
      await until('the run went on', async () => (await runsOf(c, app, journey, 'ada'))[0].endReason === 'completed');
      await drained(c);
      assert.equal(receiver.received.length, 5, 'no sixth attempt');
      assert.deepEqual(receiver.received.map((r) => JSON.parse(r.body).data.attempt), [1, 2, 3, 4, 5]);
      const [run] = await runsOf(c, app, journey, 'ada');
      const failed = run.timeline.find((e: { what: string }) => e.what === 'webhook failed');
      assert.match(failed.detail, /gave up after 5 attempts: HTTP 503/);
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/ada`, { key: app.secretKey })).body.attributes.synced, false, 'the step after it ran');
      const stats = await c.api('GET', `/v1/apps/${app.id}/journeys/${journey}/stats`, { key: app.secretKey });
      assert.deepEqual([stats.body.steps[0].sent, stats.body.steps[0].skipped], [0, 1]);
      receiver.setDefault({ status: 200 });
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test('the simulation shows the call it would make and makes none', async () => {
      receiver.received.length = 0;
      const { id: journey } = await save({ name: 'Sim', trigger: { event: 'sim' }, steps: [{ webhook: { url: receiver.url } }] });
      const sim = await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/simulate`, { key: app.secretKey, body: { userId: 'ada' } });
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const call = sim.body.timeline.find((e: { what: string }) => e.what === 'would_call');
      assert.deepEqual(call, { at: new Date(clock).toISOString(), step: '/steps/0', what: 'would_call', detail: { url: receiver.url, user: 'ada', event: 'sim' } });
      assert.equal(sim.body.endedBy, 'completed');
      await drained(c);
      assert.equal(receiver.received.length, 0);
    });
  });
}

describe('journeys: webhook step URLs at save', { timeout: 60_000 }, () => {
  let c: TestCarillon;
  let app: App;
  before(async () => {
    c = await startWebhookCarillon('sqlite', { allowPrivateEndpoints: false });
    app = await c.createApp();
  });
  after(() => c.stop());

  test('private addresses, http and bad timeouts are refused with a pointer; nothing is stored', async () => {
    for (const [webhook, code, pointer] of [
      [{ url: 'https://10.0.0.7/hook' }, 'webhook_url_rejected', '#/steps/1/webhook/url'],
      [{ url: 'https://127.0.0.1:8443/hook' }, 'webhook_url_rejected', '#/steps/1/webhook/url'],
      [{ url: 'http://hooks.example.com/in' }, 'webhook_url_rejected', '#/steps/1/webhook/url'],
      [{ url: 'https://hooks.example.com/in', timeoutMs: 5 }, 'invalid_journey', '#/steps/1/webhook/timeoutMs'],
      [{ url: 'https://hooks.example.com/in', secret: 'x' }, 'invalid_journey', '#/steps/1/webhook/secret'],
      [{}, 'invalid_journey', '#/steps/1/webhook/url'],
    ] as const) {
      const res = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { event: 'e' }, steps: [{ wait: { duration: '1h' } }, { webhook }] } });
      assert.equal(res.body.code, code, JSON.stringify(res.body));
      assert.equal(res.status, 400);
      assert.equal(res.body.pointer, pointer);
    }
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/journeys`, { key: app.secretKey })).body.data.length, 0);
    const ok = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { event: 'e' }, steps: [{ webhook: { url: 'https://hooks.example.com/in' } }] } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.definition.steps, [{ webhook: { url: 'https://hooks.example.com/in' } }]);
  });
});
