import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { zoneStamps } from './zone-stamps.ts';

const HOUR = 3_600_000;
// DST north and south, half-hour and 45-minute offsets, a 30-minute DST (Lord Howe), a
// zone that skipped a day (Apia, 2011), UTC written as Z and Etc/UTC with its offset.
const ZONES = ['UTC', 'Etc/UTC', 'Europe/Paris', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Apia', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Tehran'];

const luxon = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;

test('hourly stamps over a year are the ones luxon writes, in every zone (DST changes both ways)', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const hours = Array.from({ length: 366 * 24 }, (_, i) => start + i * HOUR);
  for (const zone of ZONES) assert.deepEqual(zoneStamps(hours, zone), hours.map((ms) => luxon(ms, zone)), zone);
});

test('daily stamps (local midnights) and a range across Apia’s skipped day', () => {
  for (const zone of ZONES) {
    const days: number[] = [];
    for (let t = DateTime.fromISO('2011-10-01', { zone }); days.length < 800; t = t.plus({ days: 1 })) days.push(t.toMillis());
    assert.deepEqual(zoneStamps(days, zone), days.map((ms) => luxon(ms, zone)), zone);
  }
});

test('instants off the hour, with milliseconds, and local mean time before 1900', () => {
  const odd = [Date.parse('2026-03-29T00:59:59.250Z'), Date.parse('2026-03-29T01:00:00.001Z'), Date.parse('2026-03-29T01:30:00Z')];
  for (const zone of ZONES) assert.deepEqual(zoneStamps(odd, zone), odd.map((ms) => luxon(ms, zone)), zone);
  const old = [Date.parse('1890-01-01T00:00:00Z'), Date.parse('1890-01-01T01:00:00Z')];
  for (const zone of ['Europe/Paris', 'Asia/Kolkata', 'Africa/Abidjan']) assert.deepEqual(zoneStamps(old, zone), old.map((ms) => luxon(ms, zone)), zone);
  assert.deepEqual(zoneStamps([], 'Europe/Paris'), []);
});
