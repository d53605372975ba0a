import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ApiError } from '../../errors/api-error.ts';
import { CapRules, capDetail, validateCapRules, windowMs } from './cap-rules.ts';
import { PolicyError } from './policy-error.ts';

/** The refusal of `input`: its code, pointer and limit, as the problem+json carries them. */
function refusal(input: unknown, options = {}): { code: string; pointer: unknown; limit: unknown } {
  try {
    validateCapRules(input, '/capping', options);
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return { code: err.code, pointer: err.extra.pointer, limit: err.extra.limit };
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

test('the issue’s rules are accepted as written, and agree with the TypeBox schema', () => {
  const rules = [{ max: 3, window: '24h', category: 'promotions' }, { max: 10, window: '7d' }];
  assert.deepEqual(validateCapRules(rules, '/capping'), rules);
  assert.ok(Value.Check(CapRules, rules));
  assert.deepEqual(validateCapRules([]), []);
  assert.equal(windowMs(rules[0]!), 24 * 3_600_000);
  assert.equal(capDetail(rules[0]!, 0), 'cap rule 0: at most 3 in 24h of promotions');
  assert.equal(capDetail(rules[1]!, 1), 'cap rule 1: at most 10 in 7d');
});

test('each malformed member is refused with the pointer to it, nothing coerced', () => {
  const cases: [unknown, string][] = [
    [{ max: 3, window: '24h' }, '#/capping'],
    [[null], '#/capping/0'],
    [[{ max: 3, window: '24h', categroy: 'promotions' }], '#/capping/0/categroy'],
    // RFC 6901 §3 escapes, then §6 percent-encoding for the URI fragment.
    [[{ max: 3, window: '24h', 'a/b~c d': 1 }], '#/capping/0/a~1b~0c%20d'],
    [[{ window: '24h' }], '#/capping/0'],
    [[{ max: '3', window: '24h' }], '#/capping/0/max'],
    [[{ max: 2.5, window: '24h' }], '#/capping/0/max'],
    [[{ max: 3 }], '#/capping/0'],
    [[{ max: 3, window: 24 }], '#/capping/0/window'],
    [[{ max: 3, window: '24H' }], '#/capping/0/window'],
    [[{ max: 3, window: '1 d' }], '#/capping/0/window'],
    [[{ max: 3, window: '1d' }, { max: 3, window: '1d', category: 'Promotions' }], '#/capping/1/category'],
    [[{ max: 3, window: '1d', category: 7 }], '#/capping/0/category'],
    [[{ max: 3, window: '1d', category: 'security' }], '#/capping/0/category'],
    [[{ max: 3, window: '1d', category: 'civic' }], '#/capping/0/category'],
  ];
  for (const [input, pointer] of cases) {
    const r = refusal(input);
    assert.equal(r.code, 'invalid_cap_rules', JSON.stringify(input));
    assert.equal(r.pointer, pointer, JSON.stringify(input));
    // The schema (for OpenAPI and Fastify) sees the form; the rule on security or civic sends is the validator's alone.
    if (!/security|civic/.test(JSON.stringify(input))) assert.equal(Value.Check(CapRules, input), false, `the schema refuses ${JSON.stringify(input)} too`);
  }
});

test('limits: 10 rules, max 1 to 1000, window 1h to 30d, each named', () => {
  const rule = { max: 1, window: '1h' };
  assert.equal(validateCapRules(Array(10).fill(rule)).length, 10);
  assert.deepEqual(refusal(Array(11).fill(rule)), { code: 'invalid_cap_rules', pointer: '#/capping', limit: 'rules' });
  assert.deepEqual(refusal([{ max: 0, window: '1h' }]), { code: 'invalid_cap_rules', pointer: '#/capping/0/max', limit: 'max' });
  assert.deepEqual(refusal([{ max: 1001, window: '1h' }]), { code: 'invalid_cap_rules', pointer: '#/capping/0/max', limit: 'max' });
  assert.ok(validateCapRules([{ max: 1000, window: '60m' }, { max: 1, window: '30d' }, { max: 1, window: '4w' }]));
  assert.deepEqual(refusal([{ max: 1, window: '59m' }]), { code: 'invalid_cap_rules', pointer: '#/capping/0/window', limit: 'window' });
  assert.deepEqual(refusal([{ max: 1, window: '31d' }]), { code: 'invalid_cap_rules', pointer: '#/capping/0/window', limit: 'window' });
  assert.deepEqual(refusal([{ max: 1, window: '5w' }]), { code: 'invalid_cap_rules', pointer: '#/capping/0/window', limit: 'window' });
});

test('with the app’s categories, a rule on another is unknown_category; pointers start where the rules sit', () => {
  const categories = ['orders', 'promotions', 'security', 'civic', 'news'];
  assert.ok(validateCapRules([{ max: 2, window: '1d', category: 'news' }], '/capping', { categories }));
  assert.deepEqual(refusal([{ max: 2, window: '1d', category: 'sports' }], { categories }), { code: 'unknown_category', pointer: '#/capping/0/category', limit: undefined });
  try {
    validateCapRules([{ max: 0, window: '1d' }], '/rules/a~b');
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    assert.equal(err.pointer, '#/rules/a~b/0/max');
    assert.equal(err.status, 400);
    assert.match(err.message, /must be from 1 to 1000/);
  }
});
