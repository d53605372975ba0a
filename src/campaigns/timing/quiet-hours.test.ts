import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intlWall } from '../../../test/campaigns/timing-intl.ts';
import { Value } from '@sinclair/typebox/value';
import { QuietHours, effectiveQuietHours, isQuiet, quietRelease, quietReleaser, validateQuietHours, type QuietWindow } from './quiet-hours.ts';
import { TimingError } from './timing-error.ts';

const at = (iso: string): number => Date.parse(iso);
const NIGHT = validateQuietHours({ start: '21:00', end: '08:00' });
const LUNCH = validateQuietHours({ start: '12:00', end: '14:00' });

test('a window crossing midnight holds the evening to the next morning and the small hours to the same morning', () => {
  const z = 'Europe/Paris';
  assert.equal(intlWall(quietRelease(at('2026-12-24T22:30:00+01:00'), NIGHT, z), z), '2026-12-25 08:00 GMT+01:00');
  assert.equal(intlWall(quietRelease(at('2026-12-25T03:00:00+01:00'), NIGHT, z), z), '2026-12-25 08:00 GMT+01:00');
  assert.equal(intlWall(quietRelease(at('2026-12-24T21:00:00+01:00'), NIGHT, z), z), '2026-12-25 08:00 GMT+01:00', 'the start is inside');
  // Outside the window a message is not held.
  for (const due of ['2026-12-24T08:00:00+01:00', '2026-12-24T12:00:00+01:00', '2026-12-24T20:59:00+01:00']) {
    assert.equal(quietRelease(at(due), NIGHT, z), at(due), due);
  }
});

test('a window within one day holds to its end that day', () => {
  const z = 'Asia/Kolkata';
  assert.equal(intlWall(quietRelease(at('2026-12-24T12:59:00+05:30'), LUNCH, z), z), '2026-12-24 14:00 GMT+05:30');
  assert.equal(quietRelease(at('2026-12-24T14:00:00+05:30'), LUNCH, z), at('2026-12-24T14:00:00+05:30'));
  assert.equal(quietRelease(at('2026-12-24T23:00:00+05:30'), LUNCH, z), at('2026-12-24T23:00:00+05:30'));
});

test('the window is read on the recipient’s clock: one instant is quiet in one zone and not in another', () => {
  const due = at('2026-12-24T08:30:00Z');
  assert.equal(isQuiet(due, NIGHT, 'Pacific/Kiritimati'), true); // 22:30 at +14
  assert.equal(intlWall(quietRelease(due, NIGHT, 'Pacific/Kiritimati'), 'Pacific/Kiritimati'), '2026-12-25 08:00 GMT+14:00');
  assert.equal(isQuiet(due, NIGHT, 'Pacific/Pago_Pago'), true); // 21:30 the day before at -11
  assert.equal(intlWall(quietRelease(due, NIGHT, 'Pacific/Pago_Pago'), 'Pacific/Pago_Pago'), '2026-12-24 08:00 GMT-11:00');
  assert.equal(isQuiet(due, NIGHT, 'Europe/Paris'), false); // 09:30
  assert.equal(quietRelease(due, NIGHT, 'Europe/Paris'), due);
  assert.equal(isQuiet(due, NIGHT, 'Asia/Kolkata'), false); // 14:00
});

test('an end in a spring-forward gap releases when the gap ends, the first moment the clock is past it', () => {
  const early = validateQuietHours({ start: '22:00', end: '02:30' });
  const z = 'America/New_York';
  const release = quietRelease(at('2026-03-08T01:50:00-05:00'), early, z);
  assert.equal(intlWall(release, z), '2026-03-08 03:00 GMT-04:00');
  // The usual 08:00 end on a change day is just 08:00 on the new offset.
  assert.equal(intlWall(quietRelease(at('2026-03-07T23:00:00-05:00'), NIGHT, z), z), '2026-03-08 08:00 GMT-04:00');
  assert.equal(intlWall(quietRelease(at('2026-10-24T23:00:00+02:00'), NIGHT, 'Europe/Paris'), 'Europe/Paris'), '2026-10-25 08:00 GMT+01:00');
});

test('an end that happens twice releases at the pass after the message became due', () => {
  const w = validateQuietHours({ start: '23:00', end: '01:30' });
  const z = 'America/New_York';
  // Due in the first pass of the repeated hour: released at the first 01:30 (EDT).
  assert.equal(intlWall(quietRelease(at('2026-11-01T01:10:00-04:00'), w, z), z), '2026-11-01 01:30 GMT-04:00');
  // Due at 01:10 in the second pass (EST): the first 01:30 is gone; the second one releases it.
  assert.equal(intlWall(quietRelease(at('2026-11-01T01:10:00-05:00'), w, z), z), '2026-11-01 01:30 GMT-05:00');
  // Due at 01:45 EDT: past the end on the clock, so not held, although the clock will read 01:10 again.
  assert.equal(quietRelease(at('2026-11-01T01:45:00-04:00'), w, z), at('2026-11-01T01:45:00-04:00'));
});

test('every release is at or after the due time and outside the window, hour by hour through change days', () => {
  const windows: QuietWindow[] = [NIGHT, LUNCH, validateQuietHours({ start: '01:00', end: '03:00' }), validateQuietHours({ start: '02:15', end: '01:45' })];
  for (const [zone, from] of [
    ['America/New_York', '2026-03-07T12:00:00Z'],
    ['America/New_York', '2026-10-31T12:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T00:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T00:00:00Z'],
    ['Pacific/Tongatapu', '2026-12-24T00:00:00Z'],
  ] as const) {
    for (let due = at(from); due < at(from) + 2 * 86_400_000; due += 15 * 60_000) {
      for (const w of windows) {
        const r = quietRelease(due, w, zone);
        assert.ok(r >= due, `${zone} ${new Date(due).toISOString()}`);
        assert.equal(isQuiet(r, w, zone), false, `${zone} ${new Date(due).toISOString()} released into the window at ${intlWall(r, zone)}`);
        assert.ok(r - due <= 24 * 3_600_000, 'held at most a day');
      }
    }
  }
});

test('a user’s own window replaces the app’s; the releaser caches and agrees', () => {
  assert.equal(effectiveQuietHours(NIGHT, LUNCH), LUNCH);
  assert.equal(effectiveQuietHours(NIGHT, null), NIGHT);
  assert.equal(effectiveQuietHours(null, undefined), null);
  const release = quietReleaser();
  const due = at('2026-12-24T22:30:00+01:00');
  assert.equal(release(due, NIGHT, 'Europe/Paris'), quietRelease(due, NIGHT, 'Europe/Paris'));
  assert.equal(release(due, LUNCH, 'Europe/Paris'), due, 'the window is part of the key');
  assert.equal(release(due, null, 'Europe/Paris'), due);
});

test('quiet hours are refused with invalid_quiet_hours and a pointer', () => {
  const cases: [unknown, string][] = [
    ['21:00-08:00', '/quietHours'],
    [{ start: '21:00' }, '/quietHours/end'],
    [{ start: '9pm', end: '08:00' }, '/quietHours/start'],
    [{ start: '21:00', end: '08:00', days: [] }, '/quietHours/days'],
    [{ start: '21:00', end: '21:00' }, '/quietHours/end'],
    [{ start: 2100, end: '08:00' }, '/quietHours/start'],
  ];
  for (const [input, pointer] of cases) {
    assert.throws(
      () => validateQuietHours(input),
      (err) => err instanceof TimingError && err.code === 'invalid_quiet_hours' && err.pointer === pointer && err.status === 400,
      JSON.stringify(input),
    );
  }
});

test('the QuietHours schema agrees with validateQuietHours on shapes', () => {
  assert.ok(Value.Check(QuietHours, { start: '21:00', end: '08:00' }));
  for (const bad of [{ start: '21:00' }, { start: '9pm', end: '08:00' }, { start: '21:00', end: '08:00', days: [] }, { start: 2100, end: '08:00' }]) {
    assert.ok(!Value.Check(QuietHours, bad), JSON.stringify(bad));
    assert.throws(() => validateQuietHours(bad), TimingError);
  }
});
