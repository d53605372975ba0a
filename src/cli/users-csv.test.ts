import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openQuote, parseHeader, parseRecord, rowOf } from './users-csv.ts';

test('RFC 4180 records: quoted commas, doubled quotes, line breaks, empty fields', () => {
  assert.deepEqual(parseRecord('a,"b,c","say ""hi""",,'), ['a', 'b,c', 'say "hi"', '', '']);
  assert.deepEqual(parseRecord('"two\nlines"'), ['two\nlines']);
  assert.equal(openQuote('a,"open'), true);
  assert.equal(openQuote('a,"closed ""x"""'), false);
  assert.throws(() => parseRecord('a"b'), /quote inside an unquoted field/);
  assert.throws(() => parseRecord('"a"b'), /after a closing quote/);
});

test('the header names fields and typed attributes; rows become import users', () => {
  const cols = parseHeader(['externalId', 'lat', 'lon', 'n:number', 'ok:boolean', 'at:time', 'zip']);
  assert.deepEqual(rowOf(cols, ['u', '1.5', '-2', '10', 'false', '2026-01-01T00:00:00Z', '007']), {
    externalId: 'u',
    location: { lat: 1.5, lon: -2 },
    attributes: { n: 10, ok: false, at: '2026-01-01T00:00:00Z', zip: '007' },
  });
  assert.deepEqual(rowOf(cols, ['u', '', '', '', '', '', '']), { externalId: 'u' }, 'empty cells are absent');
  assert.throws(() => rowOf(cols, ['u', '', '', '1e', '', '', '']), /attributes\.n: "1e" is not a number/);
  assert.throws(() => rowOf(cols, ['u', '', '', '', 'yes', '', '']), /not true or false/);
  assert.throws(() => rowOf(cols, ['u', '', '', '', '', 'tomorrow', '']), /not an RFC 3339/);
  assert.throws(() => rowOf(cols, ['u', '1', '', '', '', '', '']), /lat and lon come together/);
  assert.throws(() => parseHeader(['id']), /no externalId/);
  assert.throws(() => parseHeader(['externalId', 'lat']), /lat without lon/);
  assert.throws(() => parseHeader(['externalId', 'country:number']), /takes no type/);
  assert.throws(() => parseHeader(['externalId', 'a', 'a']), /names a twice/);
});
