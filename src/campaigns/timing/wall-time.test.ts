import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intlWall } from '../../../test/campaigns/timing-intl.ts';
import { localDueAt, nextWallTime, offsetAt, parseLocalDate, parseTimeOfDay, resolveZone, wallTimeInstants } from './wall-time.ts';

const at = (iso: string): number => Date.parse(iso);
const day = (text: string) => parseLocalDate(text)!;
const time = (text: string) => parseTimeOfDay(text)!;

test('a time that does not exist (spring forward) is read with the offset before the gap (RFC 5545 §3.3.5)', () => {
  // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
  const ny = wallTimeInstants(day('2026-03-08'), time('02:30'), 'America/New_York');
  assert.deepEqual(ny.instants, []);
  assert.equal(intlWall(ny.resolved, 'America/New_York'), '2026-03-08 03:30 GMT-04:00');
  assert.equal(intlWall(ny.gapEnd!, 'America/New_York'), '2026-03-08 03:00 GMT-04:00');
  // Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST.
  const paris = wallTimeInstants(day('2026-03-29'), time('02:15'), 'Europe/Paris');
  assert.equal(intlWall(paris.resolved, 'Europe/Paris'), '2026-03-29 03:15 GMT+02:00');
  // Lord Howe, 4 October 2026: clocks go from 02:00 to 02:30 (+10:30 to +11).
  const lh = wallTimeInstants(day('2026-10-04'), time('02:15'), 'Australia/Lord_Howe');
  assert.deepEqual(lh.instants, []);
  assert.equal(intlWall(lh.resolved, 'Australia/Lord_Howe'), '2026-10-04 02:45 GMT+11:00');
  assert.equal(intlWall(lh.gapEnd!, 'Australia/Lord_Howe'), '2026-10-04 02:30 GMT+11:00');
});

test('a time that happens twice (fall back) has two instants; the first is used', () => {
  const ny = wallTimeInstants(day('2026-11-01'), time('01:30'), 'America/New_York');
  assert.deepEqual(ny.instants.map((i) => intlWall(i, 'America/New_York')), ['2026-11-01 01:30 GMT-04:00', '2026-11-01 01:30 GMT-05:00']);
  assert.equal(ny.resolved, ny.instants[0]);
  const paris = wallTimeInstants(day('2026-10-25'), time('02:30'), 'Europe/Paris');
  assert.deepEqual(paris.instants.map((i) => intlWall(i, 'Europe/Paris')), ['2026-10-25 02:30 GMT+02:00', '2026-10-25 02:30 GMT+01:00']);
  // Lord Howe goes back half an hour on 5 April 2026 (02:00 +11 -> 01:30 +10:30).
  const lh = wallTimeInstants(day('2026-04-05'), time('01:45'), 'Australia/Lord_Howe');
  assert.deepEqual(lh.instants.map((i) => intlWall(i, 'Australia/Lord_Howe')), ['2026-04-05 01:45 GMT+11:00', '2026-04-05 01:45 GMT+10:30']);
  assert.equal(lh.instants[1]! - lh.instants[0]!, 30 * 60_000);
});

test('an ordinary time on a change day, and on any day, has one instant that reads back the same', () => {
  for (const [zone, date] of [
    ['America/New_York', '2026-03-08'],
    ['America/New_York', '2026-11-01'],
    ['Europe/Paris', '2026-03-29'],
    ['Europe/Paris', '2026-10-25'],
    ['Asia/Kolkata', '2026-06-01'],
    ['Pacific/Kiritimati', '2026-12-24'],
    ['Pacific/Pago_Pago', '2026-12-24'],
    ['Pacific/Tongatapu', '2026-12-24'],
    ['Australia/Lord_Howe', '2026-10-04'],
  ] as const) {
    for (const t of ['00:00', '09:00', '12:45', '23:59']) {
      const r = wallTimeInstants(day(date), time(t), zone);
      assert.equal(r.instants.length, 1, `${zone} ${date} ${t}`);
      assert.equal(intlWall(r.resolved, zone).slice(0, 16), `${date} ${t}`, `${zone} ${date} ${t}`);
    }
  }
});

test('Samoa skipped 30 December 2011: a time on that day is read with the offset before the jump', () => {
  const r = wallTimeInstants(day('2011-12-30'), time('09:00'), 'Pacific/Apia');
  assert.deepEqual(r.instants, []);
  assert.equal(intlWall(r.resolved, 'Pacific/Apia'), '2011-12-31 09:00 GMT+14:00');
  assert.equal(intlWall(r.gapEnd!, 'Pacific/Apia'), '2011-12-31 00:00 GMT+14:00');
});

test('localDueAt reads the date and time in the user zone, else the app default, else UTC', () => {
  assert.equal(localDueAt('2026-12-24', '09:00', 'Asia/Kolkata', 'Europe/Paris'), at('2026-12-24T03:30:00Z'));
  assert.equal(localDueAt('2026-12-24', '09:00', null, 'Europe/Paris'), at('2026-12-24T08:00:00Z'));
  assert.equal(localDueAt('2026-12-24', '09:00', 'Mars/Olympus_Mons', 'Europe/Paris'), at('2026-12-24T08:00:00Z'));
  assert.equal(localDueAt('2026-12-24', '09:00', '+05:30', 'Europe/Paris'), at('2026-12-24T08:00:00Z'), 'an offset is not a zone');
  assert.equal(localDueAt('2026-12-24', '09:00', undefined, null), at('2026-12-24T09:00:00Z'));
  assert.equal(resolveZone('', 'Nope/Nope'), 'UTC');
  assert.throws(() => localDueAt('2026-02-30', '09:00', 'UTC', null), RangeError);
});

test('the cached offset agrees with Intl minute by minute across a change', () => {
  for (const [zone, from] of [
    ['America/New_York', '2026-03-08T06:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'],
    ['Europe/Paris', '2026-10-25T00:00:00Z'],
  ] as const) {
    for (let t = at(from); t < at(from) + 3 * 3_600_000; t += 60_000) {
      const intl = intlWall(t, zone).slice(17); // "GMT-04:00"
      const m = offsetAt(zone, t);
      const text = `GMT${m < 0 ? '-' : '+'}${String(Math.floor(Math.abs(m) / 60)).padStart(2, '0')}:${String(Math.abs(m) % 60).padStart(2, '0')}`;
      assert.equal(text, intl, `${zone} ${new Date(t).toISOString()}`);
    }
  }
});

test('nextWallTime is today when still ahead, else tomorrow, and the repeated pass when in it', () => {
  const z = 'Europe/Paris';
  assert.equal(intlWall(nextWallTime(at('2026-12-24T07:00:00Z'), time('09:00'), z), z), '2026-12-24 09:00 GMT+01:00');
  assert.equal(intlWall(nextWallTime(at('2026-12-24T08:00:00Z'), time('09:00'), z), z), '2026-12-24 09:00 GMT+01:00', 'at the instant itself');
  assert.equal(intlWall(nextWallTime(at('2026-12-24T08:00:01Z'), time('09:00'), z), z), '2026-12-25 09:00 GMT+01:00');
  // In New York's repeated hour, 01:30 EST is still ahead of 01:10 EST.
  const from = at('2026-11-01T06:10:00Z');
  assert.equal(intlWall(nextWallTime(from, time('01:30'), 'America/New_York'), 'America/New_York'), '2026-11-01 01:30 GMT-05:00');
});

test('dates and times are read strictly: what no calendar has and loose forms are refused', () => {
  assert.deepEqual(parseLocalDate('2028-02-29'), { year: 2028, month: 2, day: 29 });
  for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-01', '26-01-01', '2026-01-01T00:00', '1969-12-31', 20261224, null]) {
    assert.equal(parseLocalDate(bad), undefined, String(bad));
  }
  assert.deepEqual(parseTimeOfDay('23:59'), { hour: 23, minute: 59 });
  for (const bad of ['24:00', '9:00', '09:60', '09:00:00', '0900', ' 09:00', 900, undefined]) {
    assert.equal(parseTimeOfDay(bad), undefined, String(bad));
  }
});
