/**
 * The dashboard talks only to the public API: every operation it calls
 * (dashboard/src/api/operations.ts) is in /openapi.json under the same operationId, method
 * and path.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon } from '../support/carillon.ts';
import { OPERATIONS } from '../../dashboard/src/api/operations.ts';

const c = await startCarillon('sqlite');
after(() => c.stop());

test('every call of the dashboard is an operation of the OpenAPI document', async () => {
  const doc = (await c.api('GET', '/openapi.json')).body;
  const byId = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
    for (const [method, op] of Object.entries(item)) if (op.operationId) byId.set(op.operationId, `${method.toUpperCase()} ${path}`);
  }
  for (const [id, [method, path]] of Object.entries(OPERATIONS)) assert.equal(byId.get(id), `${method} ${path}`, id);
});
