import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intlWall } from '../../../test/campaigns/timing-intl.ts';
import { appBestHour, bestHour, intelligentDueAt, MIN_APP_ENGAGEMENTS } from './intelligent.ts';

const at = (iso: string): number => Date.parse(iso);
const TEN = { hour: 10, minute: 0 };
const NOW = at('2026-12-01T12:00:00Z');

test('a planted click history picks the user’s own hour, read on their clock (a half-hour zone)', () => {
  // Clicks at 20:xx in Kolkata on several days (14:30Z to 15:29Z), one stray morning click.
  const clicks = ['2026-11-20T14:40:00Z', '2026-11-22T15:10:00Z', '2026-11-25T14:31:00Z', '2026-11-28T03:00:00Z'].map(at);
  const choice = bestHour(clicks, 'Asia/Kolkata', { hour: 9, minute: 0 }, TEN, NOW);
  assert.deepEqual(choice, { hour: 20, minute: 0, source: 'user', engagements: 4 });
  // The same instants read in Paris fall in two different hours: 15:xx and 16:xx.
  assert.equal(bestHour(clicks, 'Europe/Paris', null, TEN, NOW).hour, 15);
});

test('fewer than three engagements fall back to the app’s hour, then to the schedule’s fallback', () => {
  const two = [at('2026-11-20T18:00:00Z'), at('2026-11-21T18:00:00Z')];
  assert.deepEqual(bestHour(two, 'UTC', { hour: 19, minute: 0 }, TEN, NOW), { hour: 19, minute: 0, source: 'app', engagements: 2 });
  assert.deepEqual(bestHour(two, 'UTC', null, { hour: 10, minute: 30 }, NOW), { hour: 10, minute: 30, source: 'fallback', engagements: 2 });
  assert.deepEqual(bestHour([], 'UTC', null, TEN), { hour: 10, minute: 0, source: 'fallback', engagements: 0 });
});

test('only the 90 days before now count, and nothing from the future', () => {
  const old = ['2026-08-01T07:00:00Z', '2026-08-02T07:00:00Z', '2026-08-03T07:00:00Z', '2026-08-04T07:00:00Z'].map(at);
  const recent = ['2026-11-01T21:00:00Z', '2026-11-02T21:00:00Z', '2026-11-03T21:00:00Z'].map(at);
  assert.equal(bestHour([...old, ...recent], 'UTC', null, TEN, NOW).hour, 21);
  assert.equal(bestHour([...old, ...recent], 'UTC', null, TEN).hour, 7, 'without now, every time given counts');
  const future = ['2026-12-02T05:00:00Z', '2026-12-03T05:00:00Z', '2026-12-04T05:00:00Z'].map(at);
  assert.equal(bestHour([...future, ...recent.slice(0, 2)], 'UTC', { hour: 8, minute: 0 }, TEN, NOW).source, 'app');
});

test('a tie goes to the hour engaged in most recently', () => {
  const times = ['2026-11-01T08:10:00Z', '2026-11-02T08:20:00Z', '2026-11-03T19:00:00Z', '2026-11-04T19:30:00Z'].map(at);
  assert.equal(bestHour(times, 'UTC', null, TEN, NOW).hour, 19);
  times.push(at('2026-11-05T08:00:00Z'), at('2026-11-06T19:00:00Z'), at('2026-11-07T08:00:00Z'));
  assert.equal(bestHour(times, 'UTC', null, TEN, NOW).hour, 8);
});

test('the app’s hour counts each engagement on its own user’s clock', () => {
  // 19:xx local for everyone, in three zones (19:00 Paris is 18:00Z, 19:00 New York is 00:00Z, 19:00 Kiritimati is 05:00Z).
  const events = [];
  for (let d = 1; d <= 10; d++) {
    events.push({ at: at(`2026-11-${String(d).padStart(2, '0')}T18:15:00Z`), zone: 'Europe/Paris' });
    events.push({ at: at(`2026-11-${String(d + 1).padStart(2, '0')}T00:15:00Z`), zone: 'America/New_York' });
    events.push({ at: at(`2026-11-${String(d).padStart(2, '0')}T05:15:00Z`), zone: 'Pacific/Kiritimati' });
  }
  assert.deepEqual(appBestHour(events, 'UTC', NOW), { hour: 19, minute: 0 });
  // Users with no zone are read in the app's default.
  const unknown = Array.from({ length: MIN_APP_ENGAGEMENTS }, (_, i) => ({ at: at('2026-11-10T06:00:00Z') + i * 86_400_000, zone: null }));
  assert.deepEqual(appBestHour(unknown, 'Asia/Kolkata', NOW), { hour: 11, minute: 0 });
  assert.equal(appBestHour(unknown.slice(1), 'Asia/Kolkata', NOW), null, 'too few to say');
  // Grouped rows (a count per zone and quarter hour) weigh as many single rows: 15 at 08:xx outweigh 10 at 19:xx.
  const grouped = [
    { at: at('2026-11-10T07:15:00Z'), zone: 'Europe/Paris', count: 15 },
    { at: at('2026-11-10T18:00:00Z'), zone: 'Europe/Paris', count: 6 },
    { at: at('2026-11-11T18:45:00Z'), zone: 'Europe/Paris', count: 4 },
  ];
  assert.deepEqual(appBestHour(grouped, 'UTC', NOW), { hour: 8, minute: 0 });
  assert.deepEqual(appBestHour(grouped.slice(1), 'UTC', NOW), null, '10 engagements are too few');
});

test('intelligentDueAt is the next time the chosen hour comes round on the user’s clock', () => {
  const launch = at('2026-12-24T06:00:00Z');
  const day = 24 * 3_600_000;
  assert.equal(intlWall(intelligentDueAt(launch, day, { hour: 20, minute: 0 }, 'Europe/Paris'), 'Europe/Paris'), '2026-12-24 20:00 GMT+01:00');
  // 06:00Z is 19:00 at Pago Pago on the 23rd: exactly at launch.
  assert.equal(intelligentDueAt(launch, day, { hour: 19, minute: 0 }, 'Pacific/Pago_Pago'), launch);
  assert.equal(intlWall(intelligentDueAt(launch, day, { hour: 20, minute: 0 }, 'Pacific/Pago_Pago'), 'Pacific/Pago_Pago'), '2026-12-23 20:00 GMT-11:00');
  // 06:00Z is 20:00 at Kiritimati: 19:00 has just passed, so tomorrow's.
  assert.equal(intlWall(intelligentDueAt(launch, day, { hour: 19, minute: 0 }, 'Pacific/Kiritimati'), 'Pacific/Kiritimati'), '2026-12-25 19:00 GMT+14:00');
  assert.equal(intlWall(intelligentDueAt(launch, day, { hour: 9, minute: 0 }, 'Asia/Kolkata'), 'Asia/Kolkata'), '2026-12-25 09:00 GMT+05:30');
});

test('a window too short for the hour sends at its nearer edge', () => {
  const launch = at('2026-12-24T12:00:00Z'); // 13:00 in Paris
  const sixHours = 6 * 3_600_000;
  // 14:00 is within: itself.
  assert.equal(intlWall(intelligentDueAt(launch, sixHours, { hour: 14, minute: 0 }, 'Europe/Paris'), 'Europe/Paris'), '2026-12-24 14:00 GMT+01:00');
  // 21:00 is two hours after the window ends (19:00) and 16 hours after launch: the window's end.
  assert.equal(intelligentDueAt(launch, sixHours, { hour: 21, minute: 0 }, 'Europe/Paris'), launch + sixHours);
  // 12:00 passed an hour before launch, and is 17 hours after the window ends: at launch.
  assert.equal(intelligentDueAt(launch, sixHours, { hour: 12, minute: 0 }, 'Europe/Paris'), launch);
});

test('across a DST change the chosen hour stays on the clock, not on UTC', () => {
  const z = 'America/New_York';
  const due = intelligentDueAt(at('2026-11-01T03:00:00Z'), 24 * 3_600_000, { hour: 9, minute: 0 }, z);
  assert.equal(intlWall(due, z), '2026-11-01 09:00 GMT-05:00');
});
