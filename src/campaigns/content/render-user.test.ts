import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderUser } from './render-user.ts';

const row = { external_id: 'u1', language: 'fr', timezone: 'Europe/Paris', country: 'FR' };

test('a stored user becomes the template user, attributes parsed from their JSON', () => {
  assert.deepEqual(renderUser({ ...row, attributes: '{"firstName":"Ana","visits":3}' }), { id: 'u1', language: 'fr', timezone: 'Europe/Paris', country: 'FR', attributes: { firstName: 'Ana', visits: 3 } });
});

test('attributes that are not a JSON object give none, rather than failing the page', () => {
  for (const attributes of [null, '', 'not json', '[1,2]', 'null', '"x"']) {
    assert.deepEqual(renderUser({ ...row, attributes }).attributes, {}, String(attributes));
  }
});
