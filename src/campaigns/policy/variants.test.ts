import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { PolicyError } from './policy-error.ts';
import { Variants, validateVariants } from './variants.ts';

function refusal(input: unknown): { pointer: string; limit: unknown } {
  try {
    validateVariants(input, '/variants');
  } catch (err) {
    assert.ok(err instanceof PolicyError, String(err));
    assert.equal(err.code, 'invalid_variants');
    assert.equal(err.status, 400);
    return { pointer: err.pointer, limit: err.extra.limit };
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

const two = [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }];

test('a split with a holdout, and winner mode with its defaults filled in', () => {
  const input = { split: [{ id: 'short', weight: 30, content: { en: { title: 'Hi' } } }, { id: 'long', weight: 70 }], holdout: 0.1, winner: {} };
  assert.ok(Value.Check(Variants, input));
  assert.deepEqual(validateVariants(input), {
    split: [{ id: 'short', weight: 30, content: { en: { title: 'Hi' } } }, { id: 'long', weight: 70 }],
    holdout: 0.1,
    winner: { testShare: 0.2, wait: '4h', waitMs: 4 * 3_600_000, otherwise: 'send_best' },
  });
  assert.deepEqual(validateVariants({ split: two, winner: { testShare: 0.5, wait: '7d', otherwise: 'stop' } }).winner, { testShare: 0.5, wait: '7d', waitMs: 7 * 86_400_000, otherwise: 'stop' });
  // One variant and a holdout: lift without a test.
  assert.deepEqual(validateVariants({ split: [{ id: 'only', weight: 1 }], holdout: 0.05 }), { split: [{ id: 'only', weight: 1 }], holdout: 0.05, winner: null });
});

test('each malformed member is refused with its pointer, and limits are named', () => {
  const cases: [unknown, string, string?][] = [
    [[], '#/variants'],
    [{ split: two, extra: 1 }, '#/variants/extra'],
    [{}, '#/variants'],
    [{ split: {} }, '#/variants/split'],
    [{ split: [] }, '#/variants/split', 'variants'],
    [{ split: Array.from({ length: 9 }, (_, i) => ({ id: `v${i}`, weight: 1 })) }, '#/variants/split', 'variants'],
    [{ split: [two[0], 'b'] }, '#/variants/split/1'],
    [{ split: [two[0], { id: 'b', weight: 1, colour: 'red' }] }, '#/variants/split/1/colour'],
    [{ split: [two[0], { id: 'b c', weight: 1 }] }, '#/variants/split/1/id'],
    [{ split: [two[0], { id: 'a', weight: 1 }] }, '#/variants/split/1/id'],
    [{ split: [two[0], { id: 'b', weight: '1' }] }, '#/variants/split/1/weight'],
    [{ split: [two[0], { id: 'b', weight: 0.5 }] }, '#/variants/split/1/weight'],
    [{ split: [two[0], { id: 'b', weight: 0 }] }, '#/variants/split/1/weight', 'weight'],
    [{ split: [two[0], { id: 'b', weight: 10_001 }] }, '#/variants/split/1/weight', 'weight'],
    [{ split: [two[0], { id: 'b', weight: 1, content: 'hello' }] }, '#/variants/split/1/content'],
    [{ split: two, holdout: '0.1' }, '#/variants/holdout'],
    [{ split: two, holdout: -0.1 }, '#/variants/holdout', 'holdout'],
    [{ split: two, holdout: 0.6 }, '#/variants/holdout', 'holdout'],
    [{ split: two, winner: true }, '#/variants/winner'],
    [{ split: two, winner: { share: 0.2 } }, '#/variants/winner/share'],
    [{ split: two, winner: { testShare: 0 } }, '#/variants/winner/testShare', 'testShare'],
    [{ split: two, winner: { testShare: 0.75 } }, '#/variants/winner/testShare', 'testShare'],
    [{ split: two, winner: { wait: '30m' } }, '#/variants/winner/wait', 'wait'],
    [{ split: two, winner: { wait: '8d' } }, '#/variants/winner/wait', 'wait'],
    [{ split: two, winner: { wait: 4 } }, '#/variants/winner/wait'],
    [{ split: two, winner: { otherwise: 'random' } }, '#/variants/winner/otherwise'],
    [{ split: [two[0]], winner: {} }, '#/variants/split', 'variants'],
  ];
  for (const [input, pointer, limit] of cases) assert.deepEqual(refusal(input), { pointer, limit }, JSON.stringify(input));
});
