/**
 * The segment builder's model (dashboard/src/ui/filter-model.ts): the filter JSON it makes,
 * the pointer of each part (where a refusal is shown), and saved filters read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFilter, newPart, partAt, rootOf, toFilter, update, type Part } from '../../dashboard/src/ui/filter-model.ts';

function built() {
  const plan = { ...newPart('attribute'), name: 'plan', value: 'pro' } as Part;
  const visits = { ...newPart('attribute'), name: 'visits', op: 'in', value: '1, 2', type: 'number' } as Part;
  const bought = { ...newPart('event'), name: 'purchase', cmp: 'eq', count: '0', within: '30d' } as Part;
  const inner = { ...newPart('group'), join: 'or', not: true, parts: [visits, bought] } as Part;
  const root = { ...newPart('group'), parts: [plan, inner] } as Part;
  return { root, plan, visits, bought, inner };
}

test('a built filter is the language’s JSON, values of the chosen type, a negated group wrapped in not', () => {
  const { root } = built();
  assert.deepEqual(toFilter(root, '/filter', new Map()), {
    and: [
      { attribute: 'plan', op: 'eq', value: 'pro' },
      { not: { or: [{ attribute: 'visits', op: 'in', value: [1, 2] }, { event: 'purchase', count: { eq: 0 }, within: '30d' }] } },
    ],
  });
  const exists = { ...newPart('tag'), name: 'tier', op: 'exists', value: 'left over' } as Part;
  assert.deepEqual(toFilter(exists, '', new Map()), { tag: 'tier', op: 'exists' }, 'no value where the op takes none');
  const notANumber = { ...newPart('attribute'), name: 'visits', op: 'gt', value: 'ten', type: 'number' } as Part;
  assert.deepEqual(toFilter(notANumber, '', new Map()), { attribute: 'visits', op: 'gt', value: null }, 'no number is made up: the API refuses null at its condition');
});

test('a refusal’s pointer reaches the deepest part whose place it starts with', () => {
  const { root, plan, bought, inner } = built();
  const pointers = new Map<number, string>();
  toFilter(root, '/filter', pointers);
  assert.equal(pointers.get(bought.id), '/filter/and/1/not/or/1');
  assert.equal(partAt(pointers, '/filter/and/1/not/or/1/within'), bought.id);
  assert.equal(partAt(pointers, '/filter/and/0/value'), plan.id);
  assert.equal(partAt(pointers, '/filter/and/1/not/or'), inner.id);
  assert.equal(partAt(pointers, '/filter/and/10'), root.id, '/and/1 is not a prefix of /and/10');
  assert.equal(partAt(pointers, '/name'), undefined);
});

test('a saved filter is read back into the parts that make it, or not at all when the builder cannot draw it', () => {
  const { root } = built();
  const filter = toFilter(root, '', new Map());
  assert.deepEqual(toFilter(rootOf(filter)!, '', new Map()), filter);
  const lone = rootOf({ channel: 'apns' })!;
  assert.deepEqual(toFilter(lone, '', new Map()), { and: [{ channel: 'apns' }] }, 'a lone condition gets a group to add beside it');
  assert.equal(fromFilter({ near: { lat: 1, lon: 2, radiusKm: 3 } }), undefined);
  assert.equal(fromFilter({ and: [{ segment: 'seg_1' }] }), undefined);
  assert.equal(fromFilter({ event: 'viewed', where: { sku: 'A1' } }), undefined);
});

test('a part is changed or removed in place, the rest kept', () => {
  const { root, visits, inner } = built();
  const removed = update(root, visits.id, () => undefined)!;
  assert.deepEqual(toFilter(removed, '', new Map()), { and: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { not: { or: [{ event: 'purchase', count: { eq: 0 }, within: '30d' }] } }] });
  const flipped = update(root, inner.id, (p) => ({ ...p, not: false }))!;
  assert.equal(JSON.stringify(toFilter(flipped, '', new Map())).includes('"not"'), false);
});
