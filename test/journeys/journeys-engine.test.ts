/**
 * Journeys through the API and the engine on SQLite and PostgreSQL, on an injected clock:
 * refusals with pointers (nothing stored), the lifecycle, versions (runs in flight keep
 * theirs), re-entry and limits, waitFor with its two branches, a branch on the trigger
 * event, attribute updates, and a send held by quiet hours until they end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { advanceRun } from '../../src/journeys/run-engine.ts';
import { APPOINTMENT_REMINDER } from '../../src/journeys/templates.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z'); // 11:00 in Paris
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const send = (title: string, extra: Record<string, unknown> = {}) => ({ send: { content: { en: { title } }, ...extra } });

for (const kind of STORES) {
  describe(`journeys: API and engine (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const jump = async (to: number) => {
      await drained(c);
      clock = to;
    };
    const user = async (id: string, fields: Record<string, unknown> = {}) => device.set(id, await userWithDevice(c, sink, app, id, { language: 'en', ...fields }));

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a refused journey names the member at fault, with the code of what refused it, and nothing is stored', async () => {
      const base = { name: 'j', trigger: { event: 'e' }, steps: [send('hi')] };
      const cases: [unknown, number, string, string][] = [
        [{ ...base, steps: [{ teleport: {} }] }, 400, 'invalid_journey', '#/steps/0/teleport'],
        [{ ...base, steps: [{ wait: { duration: 'soon' } }] }, 400, 'invalid_journey', '#/steps/0/wait/duration'],
        [{ ...base, steps: [{ wait: { until: '25:00' } }] }, 400, 'invalid_journey', '#/steps/0/wait/until'],
        [{ ...base, steps: [send('a'), { branch: { filter: { attribute: 'plan', op: 'sorta', value: 1 } } }] }, 400, 'invalid_filter', '#/steps/1/branch/filter/op'],
        [{ ...base, steps: [{ waitFor: { event: 'x', within: '1d', matched: [send('{{ user.firstName }}')] } }] }, 422, 'template_invalid', '#/steps/0/waitFor/matched/0/send/content/en/title'],
        [{ ...base, steps: [{ split: { paths: [{ weight: 1, steps: [] }, { weight: -1, steps: [] }] } }] }, 400, 'invalid_journey', '#/steps/0/split/paths/1/weight'],
        [{ ...base, steps: [send('a', { category: 'gossip' })] }, 400, 'invalid_journey', '#/steps/0/send/category'],
        [{ ...base, trigger: { segmentEntry: 'seg_x' } }, 422, 'unknown_segment', '#/trigger/segmentEntry'],
        [{ ...base, trigger: { event: 'e', drop: { from: 'oldPrice', to: 'newPrice', atLeastPercent: 0 } } }, 400, 'invalid_journey', '#/trigger/drop/atLeastPercent'],
        [{ ...base, trigger: { event: 'e', audience: { event: 'product_viewed', within: 'a while', property: 'sku' } } }, 400, 'invalid_journey', '#/trigger/audience/within'],
        [{ ...base, trigger: { event: 'e', audience: { event: 'product_viewed', within: '30d', property: 'sku', except: 'not ok' } } }, 400, 'invalid_journey', '#/trigger/audience/except'],
        [{ ...base, trigger: { attributeChange: 'plan', drop: { from: 'a', to: 'b', atLeastPercent: 5 } } }, 400, 'invalid_journey', '#/trigger/drop'],
        [{ ...base, trigger: { event: 'e', where: { segment: 'seg_nope' } } }, 422, 'unknown_segment', '#/trigger/where'],
        [{ ...base, exit: { events: ['ok', 'not ok'] } }, 400, 'invalid_journey', '#/exit/events/1'],
        [{ ...base, limit: { max: 0, per: '1d' } }, 400, 'invalid_journey', '#/limit/max'],
        [{ ...base, reentry: { after: 'later' } }, 400, 'invalid_journey', '#/reentry/after'],
        [{ ...base, sendRules: { quietHours: 'maybe' } }, 400, 'invalid_journey', '#/sendRules/quietHours'],
        [{ ...base, steps: [{ update: { attributes: { 'bad key!': 1 } } }] }, 400, 'invalid_journey', '#/steps/0/update/attributes'],
      ];
      for (const [body, status, code, pointer] of cases) {
        const res = await call('POST', '/journeys', body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        assert.equal(res.body.pointer, pointer, JSON.stringify(res.body));
      }
      assert.deepEqual((await call('GET', '/journeys')).body.data, []);
    });

    test('lifecycle: a draft cannot be paused, an active one is archived before it is deleted, archiving ends its runs', async () => {
      const made = await call('POST', '/journeys', { name: 'life', trigger: { event: 'life_start' }, steps: [{ wait: { duration: '1d' } }, send('never')] });
      assert.equal(made.status, 201);
      assert.equal(made.body.status, 'draft');
      assert.equal(made.headers.location, `/v1/apps/${app.id}/journeys/${made.body.id}`);
      const pause = await call('POST', `/journeys/${made.body.id}/pause`);
      assert.equal(pause.status, 409);
      assert.equal(pause.body.code, 'journey_status');
      assert.equal(pause.body.journeyStatus, 'draft');
      assert.equal((await call('POST', `/journeys/${made.body.id}/activate`)).body.status, 'active');
      const refused = await call('DELETE', `/journeys/${made.body.id}`);
      assert.equal(refused.status, 409, JSON.stringify(refused));
      assert.equal(refused.body.code, 'journey_status');
      await user('lena');
      await track(c, app, 'lena', 'life_start');
      await until('lena’s run', async () => (await runsOf(c, app, made.body.id, 'lena')).length === 1);
      const archived = await call('POST', `/journeys/${made.body.id}/archive`);
      assert.equal(archived.body.status, 'archived');
      assert.deepEqual(archived.body.runs, { active: 0, ended: 1 });
      assert.equal((await runsOf(c, app, made.body.id, 'lena'))[0].endReason, 'archived');
      await jump(clock + 2 * DAY);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(got('lena'), [], 'the archived run’s timer sends nothing');
      assert.equal((await call('PATCH', `/journeys/${made.body.id}`, { name: 'again' })).body.code, 'journey_status');
      assert.equal((await call('DELETE', `/journeys/${made.body.id}`)).status, 204);
      assert.equal((await call('GET', `/journeys/${made.body.id}`)).body.code, 'journey_not_found');
    });

    test('versions: a change to an active journey is a new version; the run in flight finishes on its own', async () => {
      const base = clock;
      const id = await activeJourney(c, app, { name: 'ver', trigger: { event: 'ver_start' }, steps: [{ wait: { duration: '1h' } }, send('first version')] });
      await user('vic');
      await user('val');
      await track(c, app, 'vic', 'ver_start');
      await until('vic’s run', async () => (await runsOf(c, app, id, 'vic')).length === 1);
      const changed = await call('PATCH', `/journeys/${id}`, { steps: [{ wait: { duration: '1h' } }, send('second version')] });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.version, 2);
      assert.equal(changed.body.name, 'ver', 'members not given are kept');
      assert.deepEqual(changed.body.definition.steps[1], send('second version'));
      await track(c, app, 'val', 'ver_start');
      await until('val’s run', async () => (await runsOf(c, app, id, 'val')).length === 1);
      await jump(base + HOUR + 1_000);
      await until('both sent', () => got('vic').length === 1 && got('val').length === 1);
      assert.deepEqual(got('vic'), ['first version']);
      assert.deepEqual(got('val'), ['second version']);
      assert.deepEqual((await runsOf(c, app, id)).map((r) => [r.userId, r.version]).sort(), [['val', 2], ['vic', 1]]);
    });

    test('re-entry after a minute, at most two runs a week', async () => {
      const id = await activeJourney(c, app, { name: 'limited', trigger: { event: 'ping' }, reentry: { after: '1m' }, limit: { max: 2, per: '7d' }, steps: [send('pong')] });
      await user('lim');
      for (let i = 0; i < 3; i++) {
        await jump(clock + 10 * 60_000);
        await track(c, app, 'lim', 'ping', { n: i });
        await until(`ping ${i} handled`, async () => {
          const depth = await c.ctx.queue.depth();
          return depth.waiting === 0 && depth.active === 0;
        });
      }
      await until('two pongs', () => got('lim').length === 2);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(got('lim'), ['pong', 'pong'], 'the third run is over the limit');
      assert.equal((await runsOf(c, app, id, 'lim')).length, 2);
      await jump(clock + 8 * DAY);
      await track(c, app, 'lim', 'ping', { n: 3 });
      await until('a week on, a third pong', () => got('lim').length === 3);
    });

    test('waitFor: the event within the time takes the matched path; without it, a branch on the trigger event', async () => {
      // The clock only goes forward: a push signed later and checked earlier would fail its VAPID expiry check.
      const base = clock;
      const id = await activeJourney(c, app, {
        name: 'onboarding',
        trigger: { event: 'signup' },
        steps: [
          { update: { attributes: { onboarding: 'started' } } },
          {
            waitFor: {
              event: 'profile_done',
              within: '1d',
              matched: [send('Thanks, {{ user.attributes.onboarding }}')],
              timedOut: [{ branch: { filter: { attribute: 'event.properties.plan', op: 'eq', value: 'pro' }, then: [send('Pro tip')], else: [send('Finish your profile')] } }],
            },
          },
          { update: { attributes: { onboarding: 'done' } } },
        ],
      });
      for (const u of ['pam', 'fay', 'max']) await user(u);
      await track(c, app, 'pam', 'signup', { plan: 'pro' });
      await track(c, app, 'fay', 'signup', { plan: 'free' });
      await track(c, app, 'max', 'signup', { plan: 'free' });
      await until('three waiting for profile_done', async () => (await runsOf(c, app, id)).filter((r) => r.waitingFor === 'profile_done').length === 3);
      assert.equal((await call('GET', '/users/pam')).body.attributes.onboarding, 'started');
      await track(c, app, 'max', 'profile_done');
      await until('max thanked at once', () => got('max').length === 1);
      assert.deepEqual(got('max'), ['Thanks, started']);
      await jump(base + DAY + 1_000);
      await until('the nudges', () => got('pam').length === 1 && got('fay').length === 1);
      assert.deepEqual(got('pam'), ['Pro tip']);
      assert.deepEqual(got('fay'), ['Finish your profile']);
      await until('all three done', async () => (await runsOf(c, app, id)).every((r) => r.endReason === 'completed'));
      assert.equal((await call('GET', '/users/fay')).body.attributes.onboarding, 'done', 'the paths join again');
    });

    test('an attribute’s change starts a run, with from and to as the trigger event; a write that changes nothing does not', async () => {
      const id = await activeJourney(c, app, {
        name: 'upgrade',
        trigger: { attributeChange: 'plan', where: { attribute: 'event.properties.to', op: 'eq', value: 'pro' } },
        reentry: { after: '1m' },
        steps: [send('Welcome to {{ event.properties.to }} (was {{ event.properties.from | default: "nothing" }})')],
      });
      await user('up', { attributes: { plan: 'free' } });
      // A first plan is a change too (from nothing).
      await user('down', { attributes: { plan: 'pro' } });
      assert.equal((await call('PUT', '/users/up', { attributes: { plan: 'pro' } })).status, 200);
      await until('the welcomes', () => got('up').length === 1 && got('down').length === 1);
      assert.deepEqual(got('down'), ['Welcome to pro (was nothing)']);
      assert.deepEqual(got('up'), ['Welcome to pro (was free)']);
      await jump(clock + HOUR);
      assert.equal((await call('PUT', '/users/up', { attributes: { plan: 'pro', seats: 3 } })).status, 200);
      assert.equal((await call('PUT', '/users/down', { attributes: { plan: 'free' } })).status, 200);
      await drained(c);
      assert.deepEqual((await runsOf(c, app, id)).map((r) => r.userId).sort(), ['down', 'up'], 'no change of plan, or not to pro: no run');
      assert.equal(got('down').length, 1);
      assert.equal(got('up').length, 1);
      // A browser's own write (the publishable key, an attribute the app lets browsers set) starts none.
      assert.equal((await call('PATCH', '', { browserAttributes: ['plan'] })).status, 200);
      await user('web', { attributes: { plan: 'free' } });
      const browser = await c.api('PUT', `/v1/apps/${app.id}/users/web`, { key: app.publishableKey, body: { attributes: { plan: 'pro' }, userIdHash: userIdHash(app, 'web') } });
      assert.equal(browser.status, 200, JSON.stringify(browser.body));
      await drained(c);
      assert.ok(!(await runsOf(c, app, id)).some((r) => r.userId === 'web'), 'no run for a browser’s write');
    });

    test('quiet hours hold a send to the end of the window (or skip it, when the journey says so)', async () => {
      assert.equal((await call('PATCH', '/campaign-settings', { quietHours: { start: '21:00', end: '08:00' } })).status, 200);
      // 22:30 in Paris on the day after the clock's (winter: UTC+1); the clock only goes forward.
      const day = new Date(clock + DAY).toISOString().slice(0, 10);
      const morning = new Date(Date.parse(`${day}T07:00:00Z`) + DAY).toISOString();
      clock = Date.parse(`${day}T21:30:00Z`);
      const held = await activeJourney(c, app, { name: 'night', trigger: { event: 'late' }, steps: [send('Good morning')] });
      const skipped = await activeJourney(c, app, { name: 'night skip', trigger: { event: 'late_skip' }, sendRules: { quietHours: 'skip' }, steps: [send('Never at night')] });
      await user('owl', { timezone: 'Europe/Paris' });
      await track(c, app, 'owl', 'late');
      await track(c, app, 'owl', 'late_skip');
      await until('held to 08:00 in Paris', async () => (await runsOf(c, app, held, 'owl'))[0]?.dueAt === morning);
      await until('the other skipped', async () => (await runsOf(c, app, skipped, 'owl'))[0]?.endReason === 'completed');
      assert.ok((await runsOf(c, app, skipped, 'owl'))[0].timeline.some((e: any) => e.what === 'skipped: quiet_hours'));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(got('owl'), []);
      await jump(Date.parse(morning));
      await until('sent at the end of the window', () => got('owl').length === 1);
      assert.deepEqual(got('owl'), ['Good morning']);
      await call('PATCH', '/campaign-settings', { quietHours: null });
    });

    test('the reminder recipe: T-24 h and T-1 h before the appointment the event carries; a cancellation ends it', async () => {
      const base = clock;
      const starts = base + 3 * DAY;
      const id = await activeJourney(c, app, APPOINTMENT_REMINDER);
      for (const u of ['rem', 'cancel', 'vague']) await user(u, { timezone: 'Asia/Kolkata' });
      await track(c, app, 'rem', 'appointment_booked', { what: 'dentist', startsAt: new Date(starts).toISOString() });
      await track(c, app, 'cancel', 'appointment_booked', { what: 'dentist', startsAt: new Date(starts).toISOString() });
      await track(c, app, 'vague', 'appointment_booked', { what: 'dentist' });
      // Not a whole millisecond: no instant to wait for.
      await user('odd', { timezone: 'Asia/Kolkata' });
      await track(c, app, 'odd', 'appointment_booked', { what: 'dentist', startsAt: starts + 0.5 });
      await until('two waiting for T-24 h, two ended', async () => {
        const runs = await runsOf(c, app, id);
        return runs.filter((r) => r.dueAt === new Date(starts - DAY).toISOString()).length === 2 && runs.filter((r) => r.endReason === 'event_time_missing:startsAt').length === 2;
      });
      await track(c, app, 'cancel', 'appointment_cancelled');
      await jump(starts - DAY);
      await until('the day-before reminder', () => got('rem').length === 1);
      await until('waiting for T-1 h', async () => (await runsOf(c, app, id, 'rem'))[0].dueAt === new Date(starts - HOUR).toISOString());
      await jump(starts - HOUR);
      await until('the hour-before reminder', () => got('rem').length === 2);
      assert.deepEqual(got('rem'), ['Tomorrow: dentist', 'In an hour: dentist']);
      await drained(c);
      assert.deepEqual(got('cancel'), []);
      assert.deepEqual(got('vague'), []);
      const view = await call('GET', `/journeys/${id}`);
      assert.deepEqual(view.body.definition.steps[0], { wait: { untilEventTime: 'startsAt', before: '1d' } });
    });

    test('a send step fired many times at once (a lost timer queued again while the first runs) is sent once', async () => {
      assert.equal((await call('PATCH', '/campaign-settings', { quietHours: { start: '21:00', end: '08:00' } })).status, 200);
      const day = new Date(clock + DAY).toISOString().slice(0, 10);
      const morning = Date.parse(`${day}T07:00:00Z`) + DAY;
      clock = Date.parse(`${day}T21:30:00Z`);
      const id = await activeJourney(c, app, { name: 'busy', trigger: { event: 'busy' }, steps: [send('Once'), { wait: { duration: '1h' } }] });
      const users = Array.from({ length: 12 }, (_, i) => `busy${i}`);
      for (const u of users) await user(u, { timezone: 'Europe/Paris' });
      for (const u of users) await track(c, app, u, 'busy');
      await until('all held at the send', async () => (await runsOf(c, app, id)).filter((r) => r.dueAt === new Date(morning).toISOString()).length === users.length);
      const runs = await c.ctx.store.db.selectFrom('journey_runs').select(['id', 'token']).where('journey_id', '=', id).execute();
      await drained(c);
      clock = morning;
      // The queue's own timers fire now too; five more handlers per run race them.
      await Promise.all(runs.flatMap((r) => Array.from({ length: 5 }, () => advanceRun(c.ctx, Number(r.id), Number(r.token)))));
      await until('one push each', () => users.every((u) => got(u).length === 1));
      await drained(c);
      await new Promise((r) => setTimeout(r, 300));
      for (const u of users) assert.deepEqual(got(u), ['Once'], u);
      const made = await c.ctx.store.db.selectFrom('notifications').select(['idempotency_key']).where('app_id', '=', app.id).where('idempotency_key', 'like', 'journey:%').execute();
      const perRun = new Map<string, number>();
      for (const n of made) if (runs.some((r) => n.idempotency_key!.startsWith(`journey:${r.id}:`))) perRun.set(n.idempotency_key!, (perRun.get(n.idempotency_key!) ?? 0) + 1);
      assert.equal(perRun.size, users.length, 'one notification per run');
      assert.ok((await runsOf(c, app, id)).every((r) => r.step === '/steps/1'), 'every run moved on once');
      await call('PATCH', '/campaign-settings', { quietHours: null });
    });

    test('the reminder across a DST change: the day before at the same time on the user’s clock (23 hours), then an hour before', async () => {
      // Paris springs forward at 02:00 on 28 March 2027: 10:00 that day is 08:00Z (CEST),
      // 10:00 the day before is 09:00Z (CET), 23 hours earlier.
      clock = Math.max(clock, Date.parse('2027-03-20T09:00:00Z'));
      const starts = Date.parse('2027-03-28T08:00:00Z');
      const id = await activeJourney(c, app, { ...APPOINTMENT_REMINDER, name: 'Reminder across DST', trigger: { event: 'appointment_booked_dst' } });
      await user('dst', { timezone: 'Europe/Paris' });
      await user('utc', { timezone: 'UTC' });
      for (const u of ['dst', 'utc']) await track(c, app, u, 'appointment_booked_dst', { what: 'dentist', startsAt: new Date(starts).toISOString() });
      await until('both waiting for the day before', async () => (await runsOf(c, app, id)).filter((r) => r.step === '/steps/0').length === 2);
      assert.equal((await runsOf(c, app, id, 'dst'))[0].dueAt, '2027-03-27T09:00:00.000Z', '10:00 in Paris the day before, in winter time');
      assert.equal((await runsOf(c, app, id, 'utc'))[0].dueAt, '2027-03-27T08:00:00.000Z', 'a clock without DST: 24 hours');
      await jump(Date.parse('2027-03-27T08:00:00Z'));
      await until('the UTC user’s day-before reminder', () => got('utc').length === 1);
      assert.deepEqual(got('dst'), [], 'not yet: 09:00 in Paris');
      await jump(Date.parse('2027-03-27T09:00:00Z'));
      await until('the Paris user’s day-before reminder', () => got('dst').length === 1);
      await until('waiting for T-1 h', async () => (await runsOf(c, app, id, 'dst'))[0].dueAt === new Date(starts - HOUR).toISOString());
      await jump(starts - HOUR);
      await until('the hour-before reminders', () => got('dst').length === 2 && got('utc').length === 2);
      assert.deepEqual(got('dst'), ['Tomorrow: dentist', 'In an hour: dentist']);
      const run = (await runsOf(c, app, id, 'dst'))[0];
      assert.equal(run.endReason, 'completed');
    });
  });
}
