import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, requestHash } from './request-hash.ts';

test('one value has one canonical text, whatever the order of its members', () => {
  assert.equal(canonicalJson({ b: 1, a: [3, { d: null, c: 'x' }], e: undefined }), '{"a":[3,{"c":"x","d":null}],"b":1}');
  assert.equal(requestHash({ title: 't', to: { all: true } }), requestHash({ to: { all: true }, title: 't' }));
  assert.notEqual(requestHash({ a: [1, 2] }), requestHash({ a: [2, 1] }), 'array order is meaningful');
  assert.equal(canonicalJson({ 'é': 1, z: 2, A: 3 }), '{"A":3,"z":2,"é":1}');
});
