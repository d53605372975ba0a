import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { coerceParameters } from './coerce-parameters.ts';

const Query = Type.Object({ limit: Type.Integer(), ratio: Type.Number(), on: Type.Boolean(), name: Type.String(), ids: Type.Array(Type.Integer()) });

test('query parameters read numbers, flags and lists from their text, strictly', () => {
  assert.deepEqual(coerceParameters(Query, { limit: '3', ratio: '0.5', on: 'true', name: '12', ids: '7' }), { limit: 3, ratio: 0.5, on: true, name: '12', ids: [7] });
  assert.deepEqual(coerceParameters(Query, { ids: ['1', '2'] }), { ids: [1, 2] });
  // What is not a number or a flag as JSON writes it stays text, for validation to refuse.
  for (const text of ['', ' 3', '0x10', '3px', '1_000', 'Infinity', '01']) assert.deepEqual(coerceParameters(Query, { limit: text }), { limit: text }, text);
  assert.deepEqual(coerceParameters(Query, { on: '1' }), { on: '1' });
  assert.deepEqual(coerceParameters(Query, { extra: '5' }), { extra: '5' }, 'unknown names are left for validation');
});
