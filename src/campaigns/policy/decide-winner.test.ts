import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeRecipient, unitHash } from './assign.ts';
import { decideWinner, type VariantResult } from './decide-winner.ts';
import { validateVariants } from './variants.ts';

/**
 * A winner-mode campaign over 100,000 users: the test group is placed as the pipeline
 * will place it, and each user in it clicks with the chance planted for their variant
 * (drawn from a hash of their key, so the run is the same every time).
 */
function runTest(rates: Record<string, number>): VariantResult[] {
  const config = validateVariants({ split: Object.keys(rates).map((id) => ({ id, weight: 1 })), holdout: 0.05, winner: {} });
  const results = new Map(Object.keys(rates).map((id) => [id, { id, sent: 0, clicked: 0 }]));
  for (let i = 0; i < 100_000; i++) {
    const key = `user-${i}`;
    const p = placeRecipient('cmp_ab', key, config);
    if (p.kind !== 'test') continue;
    const r = results.get(p.variant)!;
    r.sent++;
    if (unitHash('click', 'cmp_ab', key) < rates[p.variant]!) r.clicked++;
  }
  return [...results.values()];
}

test('a planted difference picks its variant: 4%, 6%, 4% click rates name b the winner', () => {
  const results = runTest({ a: 0.04, b: 0.06, c: 0.04 });
  const sent = results.reduce((s, r) => s + r.sent, 0);
  assert.ok(Math.abs(sent / 100_000 - 0.95 * 0.2) < 0.005, `the test went to 20% of the non-holdout audience: ${sent}`);
  const d = decideWinner(results, { otherwise: 'stop' });
  assert.equal(d.decision, 'winner');
  assert.equal(d.variant, 'b');
  assert.equal(d.reason, 'significant');
  assert.equal(d.df, 2);
  assert.ok(d.pValue! < 0.001, String(d.pValue));
  assert.match(d.detail, /^b has the highest click rate/);
  assert.deepEqual(d.rates.map((r) => r.id), ['a', 'b', 'c']);
});

test('equal planted rates pick no winner: send_best sends the best anyway, stop sends nothing', () => {
  const results = runTest({ a: 0.05, b: 0.05, c: 0.05, d: 0.05 });
  const best = decideWinner(results, { otherwise: 'send_best' });
  assert.equal(best.reason, 'not_significant');
  assert.ok(best.pValue! >= 0.05, String(best.pValue));
  assert.equal(best.decision, 'send_best');
  const highest = [...results].sort((x, y) => y.clicked / y.sent - x.clicked / x.sent)[0]!.id;
  assert.equal(best.variant, highest);
  const stop = decideWinner(results, { otherwise: 'stop' });
  assert.deepEqual([stop.decision, stop.variant, stop.reason], ['stop', null, 'not_significant']);
  assert.match(stop.detail, /^stopped: no significant difference at 0.05/);
});

test('exactly equal rates: p is 1, and the first listed of the equal best is sent', () => {
  const d = decideWinner([{ id: 'x', sent: 1000, clicked: 50 }, { id: 'y', sent: 2000, clicked: 100 }], { otherwise: 'send_best' });
  assert.deepEqual([d.decision, d.variant, d.reason, d.statistic, d.pValue], ['send_best', 'x', 'not_significant', 0, 1]);
});

test('the threshold is p < alpha: X² = 4 on 20/50 vs 30/50 (p = 0.0455) wins at 0.05, not at 0.01', () => {
  const rows = [{ id: 'a', sent: 50, clicked: 20 }, { id: 'b', sent: 50, clicked: 30 }];
  assert.deepEqual([decideWinner(rows, { otherwise: 'stop' }).decision, decideWinner(rows, { otherwise: 'stop' }).variant], ['winner', 'b']);
  const strict = decideWinner(rows, { otherwise: 'stop', alpha: 0.01 });
  assert.deepEqual([strict.decision, strict.reason, strict.alpha], ['stop', 'not_significant', 0.01]);
});

test('small samples are not trusted: an expected count under 5 gives too_few, whatever p says', () => {
  // 0 of 12 against 6 of 12: p = 0.005, but the expected clicks are 3 per variant.
  const rows = [{ id: 'a', sent: 12, clicked: 0 }, { id: 'b', sent: 12, clicked: 6 }];
  const d = decideWinner(rows, { otherwise: 'send_best' });
  assert.ok(d.pValue! < 0.05);
  assert.deepEqual([d.decision, d.variant, d.reason], ['send_best', 'b', 'too_few']);
  assert.match(d.detail, /expected count is 3\.00, under 5/);
  // With four times the sends the same rates are a winner.
  assert.equal(decideWinner(rows.map((r) => ({ ...r, sent: r.sent * 4, clicked: r.clicked * 4 })), { otherwise: 'stop' }).decision, 'winner');
  // The rule's threshold is an option.
  assert.equal(decideWinner(rows, { otherwise: 'stop', minExpected: 3 }).decision, 'winner');
});

test('nothing to compare: one variant sent, or none; a tie at the top after a significant test', () => {
  const one = decideWinner([{ id: 'a', sent: 500, clicked: 40 }, { id: 'b', sent: 0, clicked: 0 }], { otherwise: 'send_best' });
  assert.deepEqual([one.decision, one.variant, one.reason, one.pValue], ['send_best', 'a', 'too_few', null]);
  const none = decideWinner([{ id: 'a', sent: 0, clicked: 0 }, { id: 'b', sent: 0, clicked: 0 }], { otherwise: 'send_best' });
  assert.deepEqual([none.decision, none.variant, none.reason], ['stop', null, 'too_few']);
  const tied = decideWinner([{ id: 'a', sent: 1000, clicked: 100 }, { id: 'b', sent: 1000, clicked: 100 }, { id: 'c', sent: 1000, clicked: 20 }], { otherwise: 'send_best' });
  assert.ok(tied.pValue! < 0.05);
  assert.deepEqual([tied.decision, tied.variant, tied.reason], ['send_best', 'a', 'best_tied']);
  assert.match(tied.detail, /a and b share the highest/);
});
