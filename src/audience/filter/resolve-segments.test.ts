import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareFilter } from './resolve-segments.ts';
import { MAX_FILTER_NODES } from './limits.ts';

const store = (segments: Record<string, unknown>) => {
  const asked: string[] = [];
  return { asked, resolve: async (id: string) => (asked.push(id), segments[id]) };
};

test('segments are replaced by their filters, recursively', async () => {
  const s = store({ seg_pro: { attribute: 'plan', op: 'eq', value: 'pro' }, seg_fr_pro: { and: [{ segment: 'seg_pro' }, { attribute: 'language', op: 'starts_with', value: 'fr' }] } });
  const r = await prepareFilter({ or: [{ segment: 'seg_fr_pro' }, { channel: 'fcm' }] }, s.resolve);
  assert.ok(r.ok);
  assert.deepEqual(r.filter, { or: [{ and: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { attribute: 'language', op: 'starts_with', value: 'fr' }] }, { channel: 'fcm' }] });
});

test('an unknown segment is refused at its reference', async () => {
  const r = await prepareFilter({ and: [{ channel: 'fcm' }, { not: { segment: 'seg_gone' } }] }, store({}).resolve);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'unknown_segment');
  assert.equal(r.error.pointer, '/and/1/not');
  assert.equal(r.error.status, 422);
});

test('a cycle is refused with the ids along it, at the outermost reference', async () => {
  const s = store({ seg_a: { or: [{ channel: 'fcm' }, { segment: 'seg_b' }] }, seg_b: { not: { segment: 'seg_a' } }, seg_self: { segment: 'seg_self' } });
  const r = await prepareFilter({ and: [{ channel: 'apns' }, { segment: 'seg_a' }] }, s.resolve);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'segment_cycle');
  assert.equal(r.error.pointer, '/and/1');
  assert.deepEqual(r.error.extra.segments, ['seg_a', 'seg_b', 'seg_a']);
  const self = await prepareFilter({ segment: 'seg_self' }, s.resolve);
  assert.ok(!self.ok);
  assert.equal(self.error.code, 'segment_cycle');
  assert.deepEqual(self.error.extra.segments, ['seg_self', 'seg_self']);
});

test('a segment used twice is not a cycle, and is looked up once', async () => {
  const s = store({ seg_pro: { attribute: 'plan', op: 'eq', value: 'pro' } });
  const r = await prepareFilter({ or: [{ segment: 'seg_pro' }, { not: { segment: 'seg_pro' } }] }, s.resolve);
  assert.ok(r.ok);
  assert.deepEqual(s.asked, ['seg_pro']);
});

test('the limits hold for the expanded filter, even when segments multiply', async () => {
  const wide = (next: string) => ({ or: Array.from({ length: 10 }, () => ({ segment: next })) });
  const s = store({ seg_1: wide('seg_2'), seg_2: wide('seg_3'), seg_3: { channel: 'fcm' } });
  const r = await prepareFilter({ segment: 'seg_1' }, s.resolve);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'filter_too_complex');
  assert.equal(r.error.extra.limit, 'nodes');
  assert.ok(10 * 10 + 11 > MAX_FILTER_NODES);
  const deep = store({ seg_d: { not: { not: { not: { not: { not: { channel: 'fcm' } } } } } } });
  const d = await prepareFilter({ not: { not: { not: { segment: 'seg_d' } } } }, deep.resolve);
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'filter_too_complex');
  assert.equal(d.error.extra.limit, 'depth');
});

test('a stored segment that is not valid is refused at its reference', async () => {
  const r = await prepareFilter({ and: [{ segment: 'seg_bad' }] }, store({ seg_bad: { attribute: 'vip', op: 'gt', value: true } }).resolve);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'invalid_filter');
  assert.equal(r.error.pointer, '/and/0');
});
