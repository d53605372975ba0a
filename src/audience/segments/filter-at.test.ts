import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFilter } from '../filter/index.ts';
import { filterAt } from './filter-at.ts';

test('a refusal points into the body from where the filter is, escaped as RFC 6901 and as a URI fragment', () => {
  const r = validateFilter({ and: [{ channel: 'webpush' }, { event: 'viewed', where: { 'a/b~c d': [1] } }] });
  assert.ok(!r.ok);
  assert.equal(r.error.pointer, '/and/1/where/a~1b~0c d');
  const e = filterAt(r.error, '/to/filter');
  assert.equal(e.code, 'invalid_filter');
  assert.equal(e.status, 400);
  assert.equal(e.extra.pointer, '#/to/filter/and/1/where/a~1b~0c%20d');
  assert.equal(e.toProblem().pointer, '#/to/filter/and/1/where/a~1b~0c%20d');
});

test('a refusal of the whole filter points at the filter itself, and keeps what the code adds', () => {
  const r = validateFilter({ or: Array.from({ length: 101 }, () => ({ channel: 'fcm' })) });
  assert.ok(!r.ok);
  const e = filterAt(r.error, '/filter');
  assert.equal(e.code, 'filter_too_complex');
  assert.equal(e.extra.limit, 'nodes');
  assert.match(String(e.extra.pointer), /^#\/filter(\/or\/\d+)?$/);
});
