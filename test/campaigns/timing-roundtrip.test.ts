/**
 * Every zone the runtime knows, through 2026: the wall time the timing code reads at an
 * instant is the one Intl formats, and reading that wall time back gives the instant
 * (one of two in an overlap). Catches a wrong cached offset anywhere, not only in the
 * zones the other tests name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallTimeAt, wallTimeInstants } from '../../src/campaigns/timing/index.ts';
import { intlWallTime } from './timing-intl.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

test('wall time and instants agree with Intl in every zone, at 60 instants of 2026 each', () => {
  const zones = Intl.supportedValuesOf('timeZone');
  assert.ok(zones.length > 300, `only ${zones.length} zones`);
  const start = Date.parse('2026-01-01T00:00:00Z');
  // A fixed stride of six days and an odd number of minutes and seconds samples every part of
  // the day and of the year; deterministic, so a failure reproduces. (The change days
  // themselves are tested minute by minute in wall-time.test.ts and timing-zones.test.ts.)
  const stride = 145 * 3_600_000 + 37 * 60_000 + 13_000;
  for (const zone of zones) {
    for (let i = 0, t = start; i < 60; i++, t += stride) {
      const w = wallTimeAt(t, zone);
      const text = `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
      assert.equal(text, intlWallTime(t, zone), `${zone} at ${new Date(t).toISOString()}`);
      const minuteStart = t - (t % 60_000);
      const back = wallTimeInstants(w, w, zone);
      assert.ok(back.instants.includes(minuteStart), `${zone} ${text}: ${back.instants.map((x) => new Date(x).toISOString())}`);
    }
  }
});
