/**
 * Campaign timing across the world's clocks, from the schedule a request carries to the
 * instant each recipient's message goes, every result read back through Intl (not luxon):
 * DST change days in New York and Paris, UTC+13 and +14, UTC-11, a half-hour zone and
 * Lord Howe's half-hour DST.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { campaignPlanner, localTimePlan, localTimePlanner, validateQuietHours, validateSchedule, type RecipientPlan } from '../../src/campaigns/timing/index.ts';
import { intlWall, intlWallTime } from './timing-intl.ts';

const at = (iso: string): number => Date.parse(iso);
const localTime = (date: string, time: string, whenPassed?: 'send_now' | 'skip') => {
  const s = validateSchedule({ localTime: { date, time, ...(whenPassed ? { whenPassed } : {}) } });
  assert.equal(s.kind, 'localTime');
  return s as Extract<typeof s, { kind: 'localTime' }>;
};

const ZONES = [
  'America/New_York',
  'Europe/Paris',
  'Pacific/Tongatapu', // +13
  'Pacific/Apia', // +13
  'Pacific/Kiritimati', // +14
  'Pacific/Pago_Pago', // -11
  'Asia/Kolkata', // +5:30
  'Australia/Lord_Howe', // +10:30 / +11
  'UTC',
];

test('09:00 on 24 December reaches each zone at 09:00 on its own clock, launched days ahead', () => {
  const schedule = localTime('2026-12-24', '09:00', 'skip');
  const launch = at('2026-12-20T00:00:00Z');
  const seen = new Map<string, number>();
  for (const zone of ZONES) {
    const plan = localTimePlan(launch, schedule, zone, 'UTC');
    assert.ok('dueAt' in plan, zone);
    assert.equal(plan.passed, false);
    assert.equal(intlWallTime(plan.dueAt, zone), '2026-12-24 09:00', zone);
    seen.set(zone, plan.dueAt);
  }
  // Kiritimati is first and Pago Pago last: 25 hours apart, the whole span of Earth's clocks.
  assert.equal(seen.get('Pacific/Pago_Pago')! - seen.get('Pacific/Kiritimati')!, 25 * 3_600_000);
  assert.equal(intlWall(seen.get('Pacific/Kiritimati')!, 'UTC'), '2026-12-23 19:00 GMT+00:00');
  assert.equal(intlWall(seen.get('Pacific/Pago_Pago')!, 'UTC'), '2026-12-24 20:00 GMT+00:00');
  assert.equal(intlWall(seen.get('Asia/Kolkata')!, 'UTC'), '2026-12-24 03:30 GMT+00:00');
});

test('launched when 09:00 has passed in the east: sent at launch, or skipped, as the schedule says', () => {
  const launch = at('2026-12-24T06:00:00Z'); // 20:00 at +14, 19:00 at +13, 07:00 in Paris, 19:00 the day before at -11
  const sendNow = localTime('2026-12-24', '09:00', 'send_now');
  const skip = localTime('2026-12-24', '09:00', 'skip');
  for (const zone of ['Pacific/Kiritimati', 'Pacific/Tongatapu', 'Pacific/Apia', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
    assert.deepEqual(localTimePlan(launch, sendNow, zone, 'UTC'), { dueAt: launch, zone, passed: true }, zone);
    const skipped = localTimePlan(launch, skip, zone, 'UTC');
    assert.ok('skip' in skipped && skipped.skip === 'passed', zone);
    assert.equal(intlWallTime(skipped.wouldHaveBeenAt, zone), '2026-12-24 09:00');
  }
  for (const zone of ['Europe/Paris', 'America/New_York', 'Pacific/Pago_Pago', 'UTC']) {
    const plan = localTimePlan(launch, skip, zone, 'UTC');
    assert.ok('dueAt' in plan && !plan.passed, zone);
    assert.equal(intlWallTime(plan.dueAt, zone), '2026-12-24 09:00', zone);
  }
  // Exactly at launch is not passed.
  const kolkata = at('2026-12-24T03:30:00Z');
  assert.deepEqual(localTimePlan(kolkata, skip, 'Asia/Kolkata', 'UTC'), { dueAt: kolkata, zone: 'Asia/Kolkata', passed: false });
});

test('DST change days: New York and Paris keep the wall time; a time in the gap moves past it, a repeated one goes once', () => {
  const launch = at('2026-03-01T00:00:00Z');
  const cases: [string, string, string, string][] = [
    ['America/New_York', '2026-03-08', '09:00', '2026-03-08 09:00 GMT-04:00'],
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08 03:30 GMT-04:00'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01 01:30 GMT-04:00'],
    ['America/New_York', '2026-11-01', '09:00', '2026-11-01 09:00 GMT-05:00'],
    ['Europe/Paris', '2026-03-29', '02:30', '2026-03-29 03:30 GMT+02:00'],
    ['Europe/Paris', '2026-03-29', '09:00', '2026-03-29 09:00 GMT+02:00'],
    ['Europe/Paris', '2026-10-25', '02:30', '2026-10-25 02:30 GMT+02:00'],
    ['Europe/Paris', '2026-10-25', '09:00', '2026-10-25 09:00 GMT+01:00'],
    ['Australia/Lord_Howe', '2026-10-04', '02:10', '2026-10-04 02:40 GMT+11:00'],
    ['Australia/Lord_Howe', '2026-04-05', '01:40', '2026-04-05 01:40 GMT+11:00'],
  ];
  for (const [zone, date, time, expected] of cases) {
    const plan = localTimePlan(launch, localTime(date, time), zone, 'UTC');
    assert.ok('dueAt' in plan);
    assert.equal(intlWall(plan.dueAt, zone), expected, `${zone} ${date} ${time}`);
  }
});

test('users with no zone, or one this runtime does not know, get the app’s default zone, shown in the plan', () => {
  const planFor = localTimePlanner(at('2026-12-20T00:00:00Z'), localTime('2026-12-24', '09:00'), 'Asia/Kolkata');
  for (const zone of [null, undefined, '', 'Atlantis/Lost', '+05:30']) {
    const plan = planFor(zone);
    assert.equal(plan.zone, 'Asia/Kolkata', String(zone));
    assert.ok('dueAt' in plan && intlWall(plan.dueAt, 'Asia/Kolkata') === '2026-12-24 09:00 GMT+05:30');
  }
});

test('a planner over a mixed audience gives each user what the single-zone computation gives, and shares answers per zone', () => {
  const launch = at('2026-12-24T06:00:00Z');
  const schedule = localTime('2026-12-24', '09:00');
  const planFor = localTimePlanner(launch, schedule, 'Europe/Paris');
  const audience = Array.from({ length: 5_000 }, (_, i) => (i % 11 === 0 ? null : ZONES[i % ZONES.length]!));
  for (const zone of audience) assert.deepEqual(planFor(zone), localTimePlan(launch, schedule, zone, 'Europe/Paris'));
  assert.equal(planFor('Asia/Kolkata'), planFor('Asia/Kolkata'), 'one object per zone');
});

test('the campaign planner holds a local-time message in quiet hours and records why', () => {
  // 07:30 local everywhere; the app is quiet 21:00-08:00, one user is quiet 07:00-09:30.
  const schedule = validateSchedule({ localTime: { date: '2026-12-24', time: '07:30' } });
  const planner = campaignPlanner({ schedule, launchAt: at('2026-12-20T00:00:00Z'), appZone: 'UTC', appQuietHours: validateQuietHours({ start: '21:00', end: '08:00' }) });
  const plain = planner.plan({ timezone: 'Pacific/Kiritimati' });
  assert.ok('sendAt' in plain && plain.held);
  assert.equal(intlWall(plain.dueAt, 'Pacific/Kiritimati'), '2026-12-24 07:30 GMT+14:00');
  assert.equal(intlWall(plain.sendAt, 'Pacific/Kiritimati'), '2026-12-24 08:00 GMT+14:00');
  assert.deepEqual(plain.timing, {
    kind: 'localTime',
    zone: 'Pacific/Kiritimati',
    dueAt: '2026-12-23T17:30:00.000Z',
    sendAt: '2026-12-23T18:00:00.000Z',
    quiet: { window: '21:00-08:00', source: 'app', until: '2026-12-23T18:00:00.000Z' },
  });
  const own = planner.plan({ timezone: 'Pacific/Pago_Pago', quietHours: validateQuietHours({ start: '07:00', end: '09:30' }) });
  assert.ok('sendAt' in own);
  assert.equal(intlWall(own.sendAt, 'Pacific/Pago_Pago'), '2026-12-24 09:30 GMT-11:00');
  assert.deepEqual(own.timing.quiet, { window: '07:00-09:30', source: 'user', until: '2026-12-24T20:30:00.000Z' });
  // Quiet hours off for the category: due is sent.
  const bypass = campaignPlanner({ schedule, launchAt: at('2026-12-20T00:00:00Z'), appZone: 'UTC', appQuietHours: validateQuietHours({ start: '21:00', end: '08:00' }), quietHoursApply: false });
  const p = bypass.plan({ timezone: 'Pacific/Kiritimati' });
  assert.ok('sendAt' in p && !p.held && p.sendAt === p.dueAt && p.timing.quiet === undefined);
});

test('the campaign planner records a skip with the time it would have had', () => {
  const schedule = validateSchedule({ localTime: { date: '2026-12-24', time: '09:00', whenPassed: 'skip' } });
  const planner = campaignPlanner({ schedule, launchAt: at('2026-12-24T06:00:00Z'), appZone: 'UTC', appQuietHours: null });
  const plan: RecipientPlan = planner.plan({ timezone: 'Pacific/Tongatapu' });
  assert.deepEqual(plan, { skip: 'passed', timing: { kind: 'localTime', zone: 'Pacific/Tongatapu', dueAt: '2026-12-23T20:00:00.000Z', passed: true } });
});

test('the campaign planner sends intelligent campaigns at each user’s own hour and says whose hour it was', () => {
  const schedule = validateSchedule({ intelligent: { within: '24h', fallback: '10:00' } });
  const launch = at('2026-12-01T12:00:00Z');
  const planner = campaignPlanner({ schedule, launchAt: launch, appZone: 'Europe/Paris', appQuietHours: validateQuietHours({ start: '22:00', end: '08:00' }), appHour: { hour: 19, minute: 0 } });
  // A Kolkata user who clicks at 21:xx IST.
  const clicks = ['2026-11-10T15:45:00Z', '2026-11-12T15:50:00Z', '2026-11-15T16:20:00Z'].map(at);
  const user = planner.plan({ timezone: 'Asia/Kolkata', engagementTimes: clicks });
  assert.ok('sendAt' in user);
  assert.equal(intlWall(user.sendAt, 'Asia/Kolkata'), '2026-12-01 21:00 GMT+05:30');
  assert.deepEqual(user.timing.best, { time: '21:00', source: 'user', engagements: 3 });
  // No history: the app's hour, on their clock (Pago Pago, -11).
  const app = planner.plan({ timezone: 'Pacific/Pago_Pago' });
  assert.ok('sendAt' in app);
  assert.equal(intlWall(app.sendAt, 'Pacific/Pago_Pago'), '2026-12-01 19:00 GMT-11:00');
  assert.deepEqual(app.timing.best, { time: '19:00', source: 'app', engagements: 0 });
  // A night owl whose best hour is 23:00 in Paris is held by quiet hours to 08:00.
  const owl = planner.plan({ timezone: 'Europe/Paris', engagementTimes: ['2026-11-10T22:10:00Z', '2026-11-11T22:20:00Z', '2026-11-12T22:30:00Z'].map(at) });
  assert.ok('sendAt' in owl && owl.held);
  assert.equal(intlWall(owl.dueAt, 'Europe/Paris'), '2026-12-01 23:00 GMT+01:00');
  assert.equal(intlWall(owl.sendAt, 'Europe/Paris'), '2026-12-02 08:00 GMT+01:00');
  // Without an app hour: the fallback.
  const fallback = campaignPlanner({ schedule, launchAt: launch, appZone: 'UTC', appQuietHours: null }).plan({ timezone: 'Pacific/Kiritimati' });
  assert.ok('sendAt' in fallback);
  assert.equal(intlWall(fallback.sendAt, 'Pacific/Kiritimati'), '2026-12-02 10:00 GMT+14:00');
  assert.equal(fallback.timing.best?.source, 'fallback');
});

test('at and recurring schedules go at their instant, each recipient still held by their quiet hours', () => {
  const night = validateQuietHours({ start: '21:00', end: '08:00' });
  const atSchedule = validateSchedule({ at: '2026-12-24T20:00:00Z' });
  const planner = campaignPlanner({ schedule: atSchedule, launchAt: at('2026-12-01T00:00:00Z'), appZone: 'UTC', appQuietHours: night });
  const paris = planner.plan({ timezone: 'Europe/Paris' }); // 21:00 in Paris: held
  assert.ok('sendAt' in paris && intlWall(paris.sendAt, 'Europe/Paris') === '2026-12-25 08:00 GMT+01:00');
  const ny = planner.plan({ timezone: 'America/New_York' }); // 15:00 in New York
  assert.ok('sendAt' in ny && !ny.held && ny.sendAt === at('2026-12-24T20:00:00Z'));
  // An at already passed at launch goes at launch.
  const late = campaignPlanner({ schedule: atSchedule, launchAt: at('2026-12-24T21:00:00Z'), appZone: 'UTC', appQuietHours: null }).plan({ timezone: null });
  assert.ok('sendAt' in late && late.sendAt === at('2026-12-24T21:00:00Z'));
  const recurring = validateSchedule({ recurring: { cron: '0 9 * * MON', timezone: 'Europe/Paris' } });
  const run = at('2026-12-07T08:00:00Z');
  const r = campaignPlanner({ schedule: recurring, launchAt: run, runAt: run, appZone: 'UTC', appQuietHours: night }).plan({ timezone: 'Pacific/Kiritimati' });
  assert.ok('sendAt' in r && intlWall(r.sendAt, 'Pacific/Kiritimati') === '2026-12-08 08:00 GMT+14:00'); // 22:00 there: held
});
