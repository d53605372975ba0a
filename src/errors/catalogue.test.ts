import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS } from './catalogue.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

test('docs/errors.md documents exactly the codes of the catalogue, with their statuses', () => {
  const rows = [...doc.matchAll(/^\| <a id="([a-z_]+)"><\/a>`([a-z_]+)` \| (\d{3}) \|/gm)];
  const documented = new Map(rows.map((m) => [m[2]!, Number(m[3])]));
  for (const m of rows) assert.equal(m[1], m[2], `anchor matches code ${m[2]}`);
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ERRORS).sort());
  for (const [code, spec] of Object.entries(ERRORS)) assert.equal(documented.get(code), spec.status, code);
});
