import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intlWall } from '../../../test/campaigns/timing-intl.ts';
import { cronProblem, nextRuns } from './recurring.ts';

const at = (iso: string): number => Date.parse(iso);

test('a weekly cron in Paris runs at 09:00 on Paris clocks on both sides of the spring change', () => {
  const runs = nextRuns('0 9 * * MON', 'Europe/Paris', at('2026-03-16T12:00:00Z'), 3);
  assert.deepEqual(
    runs.map((r) => intlWall(r, 'Europe/Paris')),
    ['2026-03-23 09:00 GMT+01:00', '2026-03-30 09:00 GMT+02:00', '2026-04-06 09:00 GMT+02:00'],
  );
  assert.equal(runs[1]! - runs[0]!, 7 * 86_400_000 - 3_600_000, 'the week holding the change is an hour short');
});

test('runs are strictly after the given instant, so the scheduler can pass the last run', () => {
  const [first] = nextRuns('0 9 * * *', 'Asia/Kolkata', at('2026-12-01T00:00:00Z'), 1);
  assert.equal(intlWall(first!, 'Asia/Kolkata'), '2026-12-01 09:00 GMT+05:30');
  const [second] = nextRuns('0 9 * * *', 'Asia/Kolkata', first!, 1);
  assert.equal(intlWall(second!, 'Asia/Kolkata'), '2026-12-02 09:00 GMT+05:30');
});

test('New York, fall back: an hourly cron runs in both passes of the repeated hour, an hour apart', () => {
  const runs = nextRuns('0 * * * *', 'America/New_York', at('2026-11-01T04:30:00Z'), 3);
  assert.deepEqual(
    runs.map((r) => intlWall(r, 'America/New_York')),
    ['2026-11-01 01:00 GMT-04:00', '2026-11-01 01:00 GMT-05:00', '2026-11-01 02:00 GMT-05:00'],
  );
});

test('New York, spring forward: a fixed time in the gap runs once, at the end of the gap (croner, as Vixie cron)', () => {
  const runs = nextRuns('30 2 * * *', 'America/New_York', at('2026-03-07T12:00:00Z'), 2);
  assert.deepEqual(runs.map((r) => intlWall(r, 'America/New_York')), ['2026-03-08 03:00 GMT-04:00', '2026-03-09 02:30 GMT-04:00']);
});

test('Lord Howe: a run that would come half an hour after the one before is dropped, so runs stay an hour apart', () => {
  // Clocks go back from 02:00 (+11) to 01:30 (+10:30) on 5 April 2026: 01:30 happens twice.
  const back = nextRuns('30 * * * *', 'Australia/Lord_Howe', at('2026-04-04T13:00:00Z'), 3);
  assert.deepEqual(
    back.map((r) => intlWall(r, 'Australia/Lord_Howe')),
    ['2026-04-05 00:30 GMT+11:00', '2026-04-05 01:30 GMT+11:00', '2026-04-05 02:30 GMT+10:30'],
  );
  // Clocks go forward from 02:00 (+10:30) to 02:30 (+11) on 4 October 2026: 02:45 is 30 minutes after 01:45.
  const forward = nextRuns('45 * * * *', 'Australia/Lord_Howe', at('2026-10-03T14:00:00Z'), 3);
  assert.deepEqual(
    forward.map((r) => intlWall(r, 'Australia/Lord_Howe')),
    ['2026-10-04 00:45 GMT+10:30', '2026-10-04 01:45 GMT+10:30', '2026-10-04 03:45 GMT+11:00'],
  );
  // Starting just after the first 01:30, the repeated one is still too close to it.
  const after = nextRuns('30 * * * *', 'Australia/Lord_Howe', back[1]! + 1_000, 1);
  assert.equal(intlWall(after[0]!, 'Australia/Lord_Howe'), '2026-04-05 02:30 GMT+10:30');
  for (let i = 1; i < back.length; i++) assert.ok(back[i]! - back[i - 1]! >= 3_600_000);
});

test('until is the last instant a run may have, inclusive', () => {
  const runs = nextRuns('0 9 * * *', 'Pacific/Kiritimati', at('2026-12-01T00:00:00Z'), 10, at('2026-12-02T19:00:00Z'));
  assert.deepEqual(runs.map((r) => intlWall(r, 'Pacific/Kiritimati')), ['2026-12-02 09:00 GMT+14:00', '2026-12-03 09:00 GMT+14:00']);
  assert.deepEqual(nextRuns('0 9 * * *', 'UTC', at('2026-12-01T10:00:00Z'), 5, at('2026-12-02T08:59:59Z')), []);
});

test('cronProblem says why, in words; an acceptable cron has none', () => {
  assert.match(cronProblem('*/15 * * * *', 'UTC')!, /runs 4 times an hour/);
  assert.match(cronProblem('0 0 9 * * MON', 'UTC')!, /not a five-field cron/);
  assert.match(cronProblem('0 0 31 2 *', 'UTC')!, /never runs/);
  assert.match(cronProblem('0 9 * * MON', 'UTC', at('2026-12-01T00:00:00Z'), at('2026-12-03T00:00:00Z'))!, /no run before until \(the next is 2026-12-07T09:00:00.000Z\)/);
  assert.equal(cronProblem('0 9 * * MON', 'Pacific/Pago_Pago', at('2026-12-01T00:00:00Z')), undefined);
});
