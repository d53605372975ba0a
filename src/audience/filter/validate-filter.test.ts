import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual as looseDeepEqual } from 'node:assert';
import fc from 'fast-check';
import { FilterError } from './filter-error.ts';
import { resolvePointer } from './json-pointer.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_IN_VALUES } from './limits.ts';
import { validateFilter } from './validate-filter.ts';

function refusal(input: unknown): { code: string; pointer: string; limit?: unknown } {
  const r = validateFilter(input);
  if (r.ok) assert.fail(`accepted ${JSON.stringify(input).slice(0, 200)}`);
  assert.ok(r.error instanceof FilterError);
  return { code: r.error.code, pointer: r.error.pointer, ...(r.error.extra.limit ? { limit: r.error.extra.limit } : {}) };
}

const nest = (depth: number): unknown => (depth === 1 ? { channel: 'fcm' } : { not: nest(depth - 1) });

test('valid filters come back as given', () => {
  for (const f of [
    { and: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { not: { event: 'purchase', count: { eq: 0 }, within: '30d' } }] },
    { or: [{ tag: 'k', op: 'in', value: ['a', 'b'] }, { channel: 'webpush' }, { near: { lat: 45.76, lon: 4.84, radiusKm: 10 } }] },
    { event: 'viewed_item', count: { gte: 3 }, within: '7d', where: { sku: 'A1', qty: 2, gift: false } },
    { attribute: 'language', op: 'starts_with', value: 'fr' },
    { attribute: 'lastSeenAt', op: 'older_than', value: '12h' },
    { attribute: 'trialEnds', op: 'before', value: 1_800_000_000_000 },
    { attribute: 'vip', op: 'exists' },
    { segment: 'seg_abc' },
    nest(MAX_FILTER_DEPTH),
  ]) {
    const r = validateFilter(f);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.filter, f);
  }
});

test('each refusal names its code and the pointer to the part at fault', () => {
  const cases: [unknown, string, string][] = [
    [null, 'invalid_filter', ''],
    [[], 'invalid_filter', ''],
    [{}, 'invalid_filter', ''],
    [{ and: [], or: [] }, 'invalid_filter', ''],
    [{ and: [] }, 'invalid_filter', '/and'],
    [{ and: [{ channel: 'sms' }] }, 'invalid_filter', '/and/0/channel'],
    [{ channel: 'fcm', extra: 1 }, 'invalid_filter', '/extra'],
    [{ attribute: 'vip', op: 'gt', value: true }, 'invalid_filter', '/value'],
    [{ attribute: 'plan', op: 'gt', value: 'a' }, 'invalid_filter', '/value'],
    [{ attribute: 'plan', op: 'like', value: 'a' }, 'invalid_filter', '/op'],
    [{ attribute: 'plan', op: 'eq' }, 'invalid_filter', ''],
    [{ attribute: 'plan', op: 'exists', value: 1 }, 'invalid_filter', '/value'],
    [{ attribute: 'plan', op: 'eq', value: null }, 'invalid_filter', '/value'],
    [{ attribute: 'plan', op: 'eq', value: { a: 1 } }, 'invalid_filter', '/value'],
    [{ attribute: 'plan', op: 'in', value: ['a', 1] }, 'invalid_filter', '/value/1'],
    [{ attribute: 'plan', op: 'in', value: [] }, 'invalid_filter', '/value'],
    [{ attribute: 'vip', op: 'in', value: [true] }, 'invalid_filter', '/value'],
    [{ attribute: "a'b", op: 'exists' }, 'invalid_filter', '/attribute'],
    [{ attribute: 'language', op: 'gt', value: 1 }, 'invalid_filter', '/op'],
    [{ attribute: 'language', op: 'eq', value: 'fr_FR' }, 'invalid_filter', '/value'],
    [{ attribute: 'country', op: 'eq', value: 'fr' }, 'invalid_filter', '/value'],
    [{ attribute: 'createdAt', op: 'gt', value: '2026-01-01' }, 'invalid_filter', '/value'],
    [{ attribute: 'createdAt', op: 'gt', value: 1.5 }, 'invalid_filter', '/value'],
    [{ attribute: 'createdAt', op: 'within', value: '7 days' }, 'invalid_filter', '/value'],
    [{ attribute: 'createdAt', op: 'within', value: '07d' }, 'invalid_filter', '/value'],
    [{ attribute: 'createdAt', op: 'within', value: '3651d' }, 'invalid_filter', '/value'],
    [{ attribute: 'sessionCount', op: 'contains', value: '1' }, 'invalid_filter', '/op'],
    [{ event: 'purchase', count: { gte: 1, lte: 3 } }, 'invalid_filter', '/count'],
    [{ event: 'purchase', count: { ge: 1 } }, 'invalid_filter', '/count/ge'],
    [{ event: 'purchase', count: { eq: -1 } }, 'invalid_filter', '/count/eq'],
    [{ event: 'purchase', within: 7 }, 'invalid_filter', '/within'],
    [{ event: 'purchase', where: { 'a"b': 1 } }, 'invalid_filter', '/where/a"b'],
    [{ event: 'purchase', where: { sku: [1] } }, 'invalid_filter', '/where/sku'],
    [{ event: 'purchase', where: { 'a/b~c': null } }, 'invalid_filter', '/where/a~1b~0c'],
    [{ tag: 'k', op: 'gt', value: 1 }, 'invalid_filter', '/op'],
    [{ tag: 'k', op: 'eq', value: 1 }, 'invalid_filter', '/value'],
    [{ near: { lat: 91, lon: 0, radiusKm: 1 } }, 'invalid_filter', '/near/lat'],
    [{ near: { lat: 0, lon: 0, radiusKm: 0 } }, 'invalid_filter', '/near/radiusKm'],
    [{ near: { lat: 0, lon: 0 } }, 'invalid_filter', '/near'],
    [{ segment: 'abc' }, 'invalid_filter', '/segment'],
    [nest(MAX_FILTER_DEPTH + 1), 'filter_too_complex', '/not/not/not/not/not/not/not/not'],
    [{ or: Array.from({ length: MAX_FILTER_NODES }, () => ({ channel: 'fcm' })) }, 'filter_too_complex', `/or/${MAX_FILTER_NODES - 1}`],
    [{ tag: 'k', op: 'in', value: Array.from({ length: MAX_IN_VALUES + 1 }, (_, i) => `v${i}`) }, 'filter_too_complex', '/value'],
    [
      { or: Array.from({ length: 11 }, () => ({ tag: 'k', op: 'in', value: Array.from({ length: MAX_IN_VALUES }, (_, i) => `v${i}`) })) },
      'filter_too_complex',
      '/or/10/value',
    ],
  ];
  for (const [input, code, pointer] of cases) {
    const r = refusal(input);
    assert.deepEqual([r.code, r.pointer], [code, pointer], JSON.stringify(input).slice(0, 200));
    assert.ok(resolvePointer(input, r.pointer).found, `${r.pointer} resolves`);
  }
  assert.ok(MAX_FILTER_VALUES < 11 * MAX_IN_VALUES);
});

test('a deep hostile nesting is refused at the limit, not by a stack overflow', () => {
  let deep: unknown = { channel: 'fcm' };
  for (let i = 0; i < 100_000; i++) deep = { and: [deep] };
  assert.equal(refusal(deep).code, 'filter_too_complex');
});

test('inherited names are not members: __proto__ and constructor are unknown', () => {
  assert.equal(refusal(JSON.parse('{"__proto__": {"channel": "fcm"}}')).pointer, '');
  assert.equal(refusal({ attribute: 'constructor', op: 'eq', value: 1, toString: 1 }).pointer, '/toString');
});

/** JSON that often looks like a filter: the right names with values of any shape. */
const filterish: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    // Valid leaves, so that and/or/not around them are often valid too.
    fc.constantFrom<unknown>({ channel: 'fcm' }, { attribute: 'plan', op: 'eq', value: 'pro' }, { event: 'e', count: { eq: 0 } }, { tag: 'k', op: 'exists' }, { near: { lat: 0, lon: 0, radiusKm: 1 } }, { segment: 'seg_x' }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ and: fc.oneof(fc.array(tie('node'), { maxLength: 4 }), fc.jsonValue()) }),
    fc.record({ not: tie('node') }),
    fc.record(
      {
        attribute: fc.oneof(fc.constantFrom('plan', 'language', 'createdAt', 'sessionCount', 'country'), fc.string()),
        op: fc.oneof(fc.constantFrom('eq', 'neq', 'gt', 'in', 'exists', 'within', 'starts_with', 'contains'), fc.string()),
        value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('7d', 'fr', 'FR', 3, true)),
      },
      { requiredKeys: ['attribute'] },
    ),
    fc.record({ event: fc.oneof(fc.constant('e'), fc.jsonValue()), count: fc.jsonValue({ maxDepth: 2 }), within: fc.jsonValue({ maxDepth: 1 }), where: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['event'] }),
    fc.record({ tag: fc.jsonValue({ maxDepth: 1 }), op: fc.string(), value: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['tag'] }),
    fc.record({ near: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ lat: fc.double(), lon: fc.double(), radiusKm: fc.double() })) }),
    fc.record({ segment: fc.jsonValue({ maxDepth: 1 }) }),
  ),
})).node;

test('random JSON never crashes the validator, and every refusal points into the input', () => {
  const seed = Number(process.env.CARILLON_TEST_SEED ?? Date.now() % 2 ** 31);
  let accepted = 0;
  fc.assert(
    fc.property(filterish, (input) => {
      const r = validateFilter(input);
      if (r.ok) {
        // What is accepted is returned unchanged (no coercion); loosely, as the input may be an object without prototype.
        looseDeepEqual(r.filter, input);
        assert.ok(validateFilter(r.filter).ok);
        accepted++;
        return;
      }
      assert.ok(['invalid_filter', 'filter_too_complex'].includes(r.error.code));
      assert.ok(resolvePointer(input, r.error.pointer).found, `pointer ${r.error.pointer} resolves in ${JSON.stringify(input)}`);
    }),
    { numRuns: 2_000, seed },
  );
  // Both sides are exercised: some random inputs are filters.
  assert.ok(accepted > 100, `only ${accepted} of 2000 accepted (seed ${seed})`);
});

test('a property named __proto__ stays a property of where, not a prototype', () => {
  const r = validateFilter(JSON.parse('{"event": "e", "where": {"__proto__": "x", "sku": "A1"}}'));
  assert.ok(r.ok);
  const where = (r.filter as { where: Record<string, unknown> }).where;
  assert.deepEqual(Object.keys(where), ['__proto__', 'sku']);
  assert.equal(Object.getOwnPropertyDescriptor(where, '__proto__')?.value, 'x');
});
