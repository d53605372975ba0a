import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { CampaignSchedule } from './schedule.ts';
import { TimingError } from './timing-error.ts';
import { validateSchedule } from './validate-schedule.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

/** The refusal's pointer and code, or a failure when the schedule was accepted. */
function refusal(input: unknown, now?: number, pointer?: string): { pointer: string; problem: Record<string, unknown> } {
  try {
    validateSchedule(input, pointer, now);
  } catch (err) {
    assert.ok(err instanceof TimingError, String(err));
    assert.equal(err.code, 'invalid_schedule');
    assert.equal(err.status, 400);
    return { pointer: err.pointer, problem: err.toProblem() };
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

test('each kind is read into its parsed form, defaults filled in', () => {
  assert.deepEqual(validateSchedule({ at: '2026-12-24T09:00:00+01:00' }), { kind: 'at', at: Date.parse('2026-12-24T08:00:00Z') });
  assert.deepEqual(validateSchedule({ localTime: { date: '2026-12-24', time: '09:00' } }), {
    kind: 'localTime',
    date: { year: 2026, month: 12, day: 24 },
    time: { hour: 9, minute: 0 },
    whenPassed: 'send_now',
  });
  assert.equal((validateSchedule({ localTime: { date: '2026-12-24', time: '09:00', whenPassed: 'skip' } }) as { whenPassed: string }).whenPassed, 'skip');
  assert.deepEqual(validateSchedule({ recurring: { cron: '0 9 * * MON', timezone: 'Europe/Paris' } }, '/schedule', NOW), {
    kind: 'recurring',
    cron: '0 9 * * MON',
    timezone: 'Europe/Paris',
    until: null,
  });
  assert.deepEqual(validateSchedule({ intelligent: {} }), { kind: 'intelligent', withinMs: 86_400_000, fallback: { hour: 10, minute: 0 } });
  assert.deepEqual(validateSchedule({ intelligent: { within: '90m', fallback: '18:30' } }), { kind: 'intelligent', withinMs: 90 * 60_000, fallback: { hour: 18, minute: 30 } });
});

test('the problem carries the pointer as a URI fragment, under the pointer the caller gives', () => {
  const r = refusal({ recurring: { cron: '*/5 * * * *', timezone: 'UTC' } }, undefined, '/campaign/schedule');
  assert.equal(r.pointer, '/campaign/schedule/recurring/cron');
  assert.equal(r.problem.pointer, '#/campaign/schedule/recurring/cron');
  assert.equal(r.problem.code, 'invalid_schedule');
  assert.equal(r.problem.type, '/docs/errors#invalid_schedule');
  assert.match(String(r.problem.detail), /at most once an hour/);
});

test('shape errors point at the member at fault', () => {
  const cases: [unknown, string][] = [
    [null, '/schedule'],
    [[], '/schedule'],
    [{}, '/schedule'],
    [{ at: '2026-12-24T09:00:00Z', localTime: {} }, '/schedule'],
    [{ weekly: {} }, '/schedule/weekly'],
    [{ 'a/b': 1 }, '/schedule/a~1b'],
    [{ localTime: 'tomorrow' }, '/schedule/localTime'],
    [{ localTime: { date: '2026-12-24' } }, '/schedule/localTime/time'],
    [{ localTime: { date: '2026-12-24', time: '09:00', zone: 'UTC' } }, '/schedule/localTime/zone'],
    [{ recurring: { cron: '0 9 * * *' } }, '/schedule/recurring/timezone'],
    [{ intelligent: { within: '24h', fallback: '10:00', hour: 9 } }, '/schedule/intelligent/hour'],
  ];
  for (const [input, pointer] of cases) assert.equal(refusal(input).pointer, pointer, JSON.stringify(input));
});

test('values are never coerced: wrong types and loose forms are refused where they are', () => {
  const cases: [unknown, string][] = [
    [{ at: 1766563200000 }, '/schedule/at'],
    [{ at: '2026-12-24 09:00' }, '/schedule/at'],
    [{ at: '2026-12-24T09:00:00' }, '/schedule/at'], // no offset: which zone?
    [{ at: '2026-02-30T09:00:00Z' }, '/schedule/at'],
    [{ localTime: { date: '2026-02-29', time: '09:00' } }, '/schedule/localTime/date'],
    [{ localTime: { date: '24/12/2026', time: '09:00' } }, '/schedule/localTime/date'],
    [{ localTime: { date: '2026-12-24', time: '9:00' } }, '/schedule/localTime/time'],
    [{ localTime: { date: '2026-12-24', time: 900 } }, '/schedule/localTime/time'],
    [{ localTime: { date: '2026-12-24', time: '24:00' } }, '/schedule/localTime/time'],
    [{ localTime: { date: '2026-12-24', time: '09:00', whenPassed: 'later' } }, '/schedule/localTime/whenPassed'],
    [{ localTime: { date: '2026-12-24', time: '09:00', whenPassed: null } }, '/schedule/localTime/whenPassed'],
    [{ recurring: { cron: 9, timezone: 'UTC' } }, '/schedule/recurring/cron'],
    [{ recurring: { cron: '0 9 * * *', timezone: 'Europe/Pariss' } }, '/schedule/recurring/timezone'],
    [{ recurring: { cron: '0 9 * * *', timezone: '+01:00' } }, '/schedule/recurring/timezone'],
    [{ recurring: { cron: '0 9 * * *', timezone: 'UTC', until: 'soon' } }, '/schedule/recurring/until'],
    [{ intelligent: { within: '0h' } }, '/schedule/intelligent/within'],
    [{ intelligent: { within: '30m' } }, '/schedule/intelligent/within'],
    [{ intelligent: { within: '25h' } }, '/schedule/intelligent/within'],
    [{ intelligent: { within: 24 } }, '/schedule/intelligent/within'],
    [{ intelligent: { fallback: '10' } }, '/schedule/intelligent/fallback'],
  ];
  for (const [input, pointer] of cases) assert.equal(refusal(input).pointer, pointer, JSON.stringify(input));
});

test('a cron must be five fields, valid, at most hourly, and run at all', () => {
  for (const cron of ['*/5 * * * *', '* * * * *', '0,30 9 * * *', '0-1 9 * * *', '0 9 * *', '0 0 9 * * MON', '61 9 * * *', '0 25 * * *', '0 9 * * FUNDAY', '0 0 30 2 *', 'x'.repeat(101)]) {
    const r = refusal({ recurring: { cron, timezone: 'Europe/Paris' } }, NOW);
    assert.equal(r.pointer, '/schedule/recurring/cron', cron);
  }
  for (const cron of ['0 * * * *', '15 9-17 * * MON-FRI', '0 9 1 * *', '@daily', '0 9 * * +MON', '30 2 L * *']) {
    assert.doesNotThrow(() => validateSchedule({ recurring: { cron, timezone: 'America/New_York' } }, '/schedule', NOW), cron);
  }
});

test('with the clock given: nothing already over, nothing more than a year ahead', () => {
  assert.equal(refusal({ at: '2028-01-01T00:00:00Z' }, NOW).pointer, '/schedule/at');
  assert.doesNotThrow(() => validateSchedule({ at: '2026-11-01T00:00:00Z' }, '/schedule', NOW), 'a passed at sends at launch');
  assert.equal(refusal({ localTime: { date: '2028-01-01', time: '09:00' } }, NOW).pointer, '/schedule/localTime/date');
  // 1 December, 09:00: UTC-12 clocks read it at 21:00Z, so at noon UTC some users are still ahead of it.
  assert.doesNotThrow(() => validateSchedule({ localTime: { date: '2026-12-01', time: '09:00' } }, '/schedule', NOW));
  assert.equal(refusal({ localTime: { date: '2026-11-30', time: '09:00' } }, NOW).pointer, '/schedule/localTime/date');
  assert.equal(refusal({ recurring: { cron: '0 9 * * *', timezone: 'UTC', until: '2026-11-30T00:00:00Z' } }, NOW).pointer, '/schedule/recurring/until');
  // Until Thursday morning, but the cron runs on Mondays only.
  assert.equal(refusal({ recurring: { cron: '0 9 * * MON', timezone: 'UTC', until: '2026-12-03T12:00:00Z' } }, NOW).pointer, '/schedule/recurring/cron');
  assert.deepEqual(
    validateSchedule({ recurring: { cron: '0 9 * * MON', timezone: 'UTC', until: '2026-12-07T09:00:00Z' } }, '/schedule', NOW),
    { kind: 'recurring', cron: '0 9 * * MON', timezone: 'UTC', until: Date.parse('2026-12-07T09:00:00Z') },
    'until is inclusive',
  );
  // Without the clock, the same inputs are only checked for shape.
  assert.doesNotThrow(() => validateSchedule({ localTime: { date: '2020-01-01', time: '09:00' } }));
});

test('the TypeBox schema the route shows accepts what validateSchedule accepts, and refuses wrong shapes', () => {
  const accepted = [
    { at: '2026-12-24T09:00:00+01:00' },
    { localTime: { date: '2026-12-24', time: '09:00' } },
    { localTime: { date: '2026-12-24', time: '23:59', whenPassed: 'skip' } },
    { recurring: { cron: '0 9 * * MON', timezone: 'Europe/Paris', until: '2027-06-30T00:00:00Z' } },
    { intelligent: {} },
    { intelligent: { within: '6h', fallback: '18:30' } },
  ];
  for (const input of accepted) {
    assert.doesNotThrow(() => validateSchedule(input), JSON.stringify(input));
    assert.ok(Value.Check(CampaignSchedule, input), JSON.stringify(input));
  }
  const badShapes = [{}, { at: 1 }, { localTime: { date: '2026-12-24' } }, { localTime: { date: '2026-12-24', time: '9:00' } }, { recurring: { cron: '0 9 * * *' } }, { intelligent: { hour: 9 } }, { at: '2026-12-24T09:00:00Z', intelligent: {} }];
  for (const input of badShapes) {
    assert.throws(() => validateSchedule(input), TimingError, JSON.stringify(input));
    assert.ok(!Value.Check(CampaignSchedule, input), JSON.stringify(input));
  }
});
