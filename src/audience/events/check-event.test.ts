import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEvent, readTime } from './check-event.ts';
import { CLOCK_SKEW_ALLOWANCE } from './limits.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const RULES = { now: NOW, retention: 90 * 86_400_000 };

test('RFC 3339 date-times are read with their offset; what no calendar or unix time has is refused', () => {
  assert.equal(readTime('2026-06-01T13:30:00+01:30'), Date.parse('2026-06-01T12:00:00Z'));
  assert.equal(readTime('2026-06-01t12:00:00.123456z'), Date.parse('2026-06-01T12:00:00.123Z'), 'lower-case t and z, RFC 3339 §5.6');
  assert.equal(readTime('2024-02-29T00:00:00Z'), Date.parse('2024-02-29T00:00:00Z'));
  for (const bad of ['2026-02-29T00:00:00Z', '2026-02-30T12:00:00Z', '2026-04-31T00:00:00Z', '2026-06-01T24:00:00Z', '2026-06-01T23:59:60Z', '2026-06-01T12:00:00+24:00', '2026-06-01 12:00:00Z', '2026-06-01T12:00:00', '1780000000', '2026-06-01']) {
    assert.equal(readTime(bad), undefined, bad);
  }
});

test('the clock skew allowance is inclusive, and a time within it is stored as now', () => {
  const edge = checkEvent({ userId: 'u', name: 'n', time: new Date(NOW + CLOCK_SKEW_ALLOWANCE).toISOString() }, 0, RULES);
  assert.ok(!('code' in edge) && edge.at === NOW);
  const past = checkEvent({ userId: 'u', name: 'n', time: new Date(NOW + CLOCK_SKEW_ALLOWANCE + 1).toISOString() }, 0, RULES);
  assert.deepEqual(past, { index: 0, code: 'event_in_future', pointer: '#/events/0/time' });
});

test('a pointer escapes a property key as RFC 6901 and RFC 3986 say', () => {
  assert.deepEqual(checkEvent({ userId: 'u', name: 'n', properties: { 'a/b~c d': 1 } }, 7, RULES), { index: 7, code: 'invalid_event_property', pointer: '#/events/7/properties/a~1b~0c%20d' });
});

test('with the publishable key only the proven user passes, checked before anything else about the event', () => {
  assert.deepEqual(checkEvent({ userId: 'other', name: '!' }, 2, { ...RULES, onlyUser: 'me' }), { index: 2, code: 'event_user_not_allowed', pointer: '#/events/2/userId' });
  assert.ok(!('code' in checkEvent({ userId: 'me', name: 'ok' }, 0, { ...RULES, onlyUser: 'me' })));
});

test('properties are stored as the JSON that was sent, non-finite numbers never pass', () => {
  const ok = checkEvent({ userId: 'u', name: 'n', properties: { a: 1, b: 'x', c: true, d: null } }, 0, RULES);
  assert.ok(!('code' in ok));
  assert.equal(ok.properties, '{"a":1,"b":"x","c":true,"d":null}');
  assert.equal((checkEvent({ userId: 'u', name: 'n', properties: { a: Number.NaN } }, 0, RULES) as { code: string }).code, 'invalid_event_property');
});
