/**
 * Moving runs in flight to a journey's current version (docs/journeys.md#migrating-runs), on
 * SQLite, PostgreSQL and PostgreSQL + Redis, on an injected clock: refusals that move nothing, a dry run that
 * counts and moves nothing, runs moved by position and by an explicit mapping keeping their
 * due time, the others counted by reason, timelines and stats; and a step running at the
 * instant of the move, which is done once, on the new version.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { startWebhookCarillon } from '../webhooks/harness.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { WEBHOOK_STEP_RETRIES_MS } from '../../src/journeys/webhook-step.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const send = (title: string) => ({ send: { content: { en: { title } } } });

for (const kind of DEPLOYMENTS) {
  describe(`journeys: migrating runs (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    // As in webhook-step.test.ts: on Redis the clock moves a minute further at each jump, so
    // the reconcile finds the timers BullMQ keeps on its own clock.
    let jumps = 0;
    const jump = async (to: number) => {
      await drained(c);
      clock = to + (kind === 'postgres+redis' ? ++jumps * 60_000 : 0);
    };
    const user = async (id: string) => device.set(id, await userWithDevice(c, sink, app, id, { language: 'en' }));
    const runOf = async (journey: string, userId: string) => (await runsOf(c, app, journey, userId))[0];

    before(async () => {
      c = await startWebhookCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000, retryMax: 2_000 } : { retryMax: 2_000 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('runs move by position or by mapping, keep their due time and wait for the new step’s event; the others stay, counted; a dry run moves nothing', async () => {
      const v1 = [{ wait: { duration: '1h' } }, send('v1 first'), { waitFor: { event: 'opened', within: '1d', matched: [send('v1 matched')], timedOut: [] } }];
      const id = await activeJourney(c, app, { name: 'moving', trigger: { event: 'mv_start' }, steps: v1 });
      for (const u of ['bob', 'ann']) await user(u);
      await track(c, app, 'bob', 'mv_start');
      await until('bob’s run', async () => (await runOf(id, 'bob'))?.step === '/steps/0');
      await jump(T0 + HOUR);
      await until('bob waits for opened', async () => (await runOf(id, 'bob'))?.waitingFor === 'opened');
      await track(c, app, 'ann', 'mv_start');
      await until('ann’s run', async () => (await runOf(id, 'ann'))?.step === '/steps/0');

      // Version 2 puts a send first: every old position now names a step of another kind.
      const v2 = [send('v2 hello'), { wait: { duration: '3h' } }, send('v2 first'), { waitFor: { event: 'clicked', within: '2d', matched: [send('v2 matched')], timedOut: [] } }];
      assert.equal((await call('PATCH', `/journeys/${id}`, { steps: v2 })).body.version, 2);
      const before = await runsOf(c, app, id);

      const refusals: [unknown, number, string, string | undefined][] = [
        [{ fromVersion: 2 }, 400, 'invalid_migration', '#/fromVersion'],
        [{ fromVersion: 7 }, 404, 'journey_version_not_found', undefined],
        [{ steps: { '/steps/0': '/steps/9' } }, 400, 'invalid_migration', '#/steps/~1steps~10'],
        [{ steps: { '/steps/5': '/steps/1' } }, 400, 'invalid_migration', '#/steps/~1steps~15'],
        [{ steps: { '/steps/0': '/steps/2' } }, 400, 'invalid_migration', '#/steps/~1steps~10'],
        [{ steps: { '/steps/0': '/name' } }, 400, 'invalid_migration', '#/steps/~1steps~10'],
        [{ dryRun: 'yes' }, 400, 'invalid_request', undefined],
      ];
      for (const [body, status, code, pointer] of refusals) {
        const res = await call('POST', `/journeys/${id}/migrate`, body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        if (pointer) assert.equal(res.body.pointer, pointer, JSON.stringify(res.body));
      }

      const unmapped = await call('POST', `/journeys/${id}/migrate`, { dryRun: true });
      assert.equal(unmapped.status, 200, JSON.stringify(unmapped.body));
      assert.deepEqual(unmapped.body, { journeyId: id, toVersion: 2, fromVersions: [1], dryRun: true, moved: 0, stayed: { step_missing: 0, kind_changed: 2, starting: 0 } });
      const dry = await call('POST', `/journeys/${id}/migrate`, { dryRun: true, steps: { '/steps/0': '/steps/1', '/steps/2': '/steps/3' } });
      assert.equal(dry.body.moved, 2, JSON.stringify(dry.body));
      assert.deepEqual(await runsOf(c, app, id), before, 'a dry run moves nothing');

      const first = await call('POST', `/journeys/${id}/migrate`, { steps: { '/steps/0': '/steps/1' } });
      assert.deepEqual(first.body, { journeyId: id, toVersion: 2, fromVersions: [1], dryRun: false, moved: 1, stayed: { step_missing: 0, kind_changed: 1, starting: 0 } });
      const ann = await runOf(id, 'ann');
      const annBefore = before.find((r) => r.userId === 'ann');
      assert.deepEqual([ann.version, ann.step, ann.dueAt], [2, '/steps/1', annBefore.dueAt], 'the 1 h wait keeps its due time, not the new 3 h');
      assert.deepEqual(ann.timeline.at(-1), { at: new Date(clock).toISOString(), step: '/steps/1', what: 'migrated', detail: 'from version 1 at /steps/0 to version 2 at /steps/1' });
      assert.equal((await runOf(id, 'bob')).version, 1, 'bob’s waitFor has a send at its position');

      const second = await call('POST', `/journeys/${id}/migrate`, { fromVersion: 1, steps: { '/steps/2': '/steps/3' } });
      assert.equal(second.body.moved, 1, JSON.stringify(second.body));
      const bob = await runOf(id, 'bob');
      const bobBefore = before.find((r) => r.userId === 'bob');
      assert.deepEqual([bob.version, bob.step, bob.waitingFor, bob.dueAt], [2, '/steps/3', 'clicked', bobBefore.dueAt]);
      assert.deepEqual((await call('POST', `/journeys/${id}/migrate`, {})).body.moved, 0, 'nothing left to move');

      // Ann's old timer fires at its time on version 2; bob now waits for clicked, not opened.
      await jump(T0 + 2 * HOUR + 1_000);
      await until('ann’s send', () => got('ann').length === 1);
      await track(c, app, 'bob', 'opened');
      await track(c, app, 'bob', 'clicked');
      await until('bob’s match', () => got('bob').length === 2);
      assert.deepEqual(got('ann'), ['v2 first']);
      assert.deepEqual(got('bob'), ['v1 first', 'v2 matched']);

      const v1Stats = (await call('GET', `/journeys/${id}/stats?version=1`)).body;
      const v2Stats = (await call('GET', `/journeys/${id}/stats?version=2`)).body;
      const at = (s: any, step: string) => s.steps.find((x: { step: string }) => x.step === step);
      assert.deepEqual(at(v1Stats, '/steps/0').exited, { migrated: 1 });
      assert.deepEqual(at(v1Stats, '/steps/2').exited, { migrated: 1 });
      assert.equal(v1Stats.runs.active, 0);
      assert.equal(at(v2Stats, '/steps/1').entered, 1);
      assert.equal(at(v2Stats, '/steps/3').entered, 2, 'bob moved onto it, ann walked onto it');
    });

    test('a step running at the instant of the move is done once, on the new version, under its step key', async () => {
      // The receiver moves the run while the engine waits for its answer: the engine's move,
      // computed on version 1, is not written; it finds the run on version 2 and goes on there.
      const calls: { key: string; version: number }[] = [];
      let journey = '';
      let moveDuringCall = false;
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (b: Buffer) => chunks.push(b));
        req.on('end', async () => {
          calls.push({ key: String(req.headers['webhook-id']), version: JSON.parse(Buffer.concat(chunks).toString()).data.version });
          if (calls.length === 1) return res.writeHead(500).end();
          if (moveDuringCall) {
            moveDuringCall = false;
            const moved = await call('POST', `/journeys/${journey}/migrate`, {});
            assert.equal(moved.body.moved, 1, JSON.stringify(moved.body));
          }
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      try {
        const start = clock;
        await user('cy');
        journey = await activeJourney(c, app, { name: 'racing', trigger: { event: 'race' }, steps: [{ webhook: { url } }, send('v1 after')] });
        await track(c, app, 'cy', 'race');
        await until('the retry is held', async () => (await runOf(journey, 'cy'))?.dueAt === new Date(start + WEBHOOK_STEP_RETRIES_MS[0]!).toISOString());
        assert.equal((await call('PATCH', `/journeys/${journey}`, { steps: [{ webhook: { url } }, send('v2 after')] })).body.version, 2);
        moveDuringCall = true;
        await jump(start + WEBHOOK_STEP_RETRIES_MS[0]!);
        await until('the push', () => got('cy').length === 1);
        await drained(c);
        assert.deepEqual(got('cy'), ['v2 after'], 'one send, of the version the run moved to');
        assert.deepEqual(
          calls.map((x) => x.version),
          [1, 1, 2],
        );
        assert.equal(new Set(calls.map((x) => x.key)).size, 1, 'every call of the step carries one step key, for the receiver to dedupe');
        const run = await runOf(journey, 'cy');
        assert.equal(run.version, 2);
        assert.equal(run.state, 'ended');
        const whats = run.timeline.map((e: { what: string }) => e.what);
        assert.equal(whats.filter((w: string) => w === 'migrated').length, 1);
        assert.equal(whats.filter((w: string) => w === 'webhook called').length, 1);
        assert.equal(whats.filter((w: string) => w === 'sent').length, 1);
        const made = await c.ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', app.id).where('idempotency_key', 'like', `journey:${run.id}:%`).execute();
        assert.equal(made.length, 1, 'one notification made for the run');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    test('a draft or an archived journey has no runs to move; another app’s journey is not found', async () => {
      const draft = await call('POST', '/journeys', { name: 'draft', trigger: { event: 'd' }, steps: [send('x')] });
      const res = await call('POST', `/journeys/${draft.body.id}/migrate`, {});
      assert.equal(res.status, 409);
      assert.equal(res.body.code, 'journey_status');
      assert.equal(res.body.journeyStatus, 'draft');
      const other = await c.createApp();
      const foreign = await c.api('POST', `/v1/apps/${other.id}/journeys/${draft.body.id}/migrate`, { key: other.secretKey, body: {} });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.code, 'journey_not_found');
    });
  });
}
