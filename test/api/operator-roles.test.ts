/**
 * The role table (src/http/route-roles.ts) classifies every guarded route of the OpenAPI
 * document: a route added without a line there fails here, and is refused to every
 * dashboard session meanwhile (deny by default).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon } from '../support/carillon.ts';
import { routeNeed } from '../../src/http/route-roles.ts';

const c = await startCarillon('sqlite');
after(() => c.stop());
const doc = (await c.api('GET', '/openapi.json')).body;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
// The document's /v1/apps/{appId} is the route pattern /v1/apps/:appId.
const pattern = (docPath: string) => docPath.replace(/\{([^}]+)\}/g, ':$1');

const guarded = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m] && !(Array.isArray(item[m]!.security) && item[m]!.security!.length === 0)).map((m) => ({ method: m.toUpperCase(), path: pattern(path) })),
);

test('every guarded route of the OpenAPI document has a need in the role table', () => {
  assert.ok(guarded.length > 40, `${guarded.length} guarded operations`);
  const unclassified = guarded.filter(({ method, path }) => routeNeed(method, path) === undefined).map(({ method, path }) => `${method} ${path}`);
  assert.deepEqual(unclassified, [], 'add a line to ROUTE_ROLES in src/http/route-roles.ts');
});

test('reads of an app are for viewers, its audiences and sends for editors, its secrets and members for owners', () => {
  const expect: [string, string, string][] = [
    ['GET', '/v1/apps/:appId', 'viewer'],
    ['GET', '/v1/apps/:appId/campaigns/:id', 'viewer'],
    ['POST', '/v1/apps/:appId/notifications', 'editor'],
    ['POST', '/v1/apps/:appId/segments', 'editor'],
    ['DELETE', '/v1/apps/:appId/users/:externalId', 'editor'],
    ['POST', '/v1/apps/:appId/campaigns/:id/launch', 'editor'],
    ['PATCH', '/v1/apps/:appId', 'owner'],
    ['POST', '/v1/apps/:appId/identity-secret', 'owner'],
    ['PUT', '/v1/apps/:appId/credentials/apns', 'owner'],
    ['PATCH', '/v1/apps/:appId/campaign-settings', 'owner'],
    ['GET', '/v1/apps/:appId/members', 'owner'],
    ['POST', '/v1/apps', 'admin'],
    ['GET', '/v1/queue/failed', 'admin'],
    ['DELETE', '/v1/operators/:operatorId', 'admin'],
    ['POST', '/v1/session/totp', 'session'],
    ['GET', '/v1/apps/:appId/campaigns/:id/estimate', 'editor'],
    ['POST', '/v1/apps/:appId/journeys/:id/migrate', 'editor'],
    ['POST', '/v1/apps/:appId/journeys/:id/simulate', 'viewer'],
    ['GET', '/v1/apps/:appId/conversations', 'viewer'],
    ['POST', '/v1/apps/:appId/conversations/:id/take-over', 'editor'],
    ['POST', '/v1/apps/:appId/conversations/:id/release', 'editor'],
  ];
  for (const [method, path, need] of expect) assert.equal(routeNeed(method, path), need, `${method} ${path}`);
});

test('a write to a family nobody classified is refused to sessions, a read of the app is not', () => {
  assert.equal(routeNeed('POST', '/v1/apps/:appId/something-new'), undefined);
  assert.equal(routeNeed('DELETE', '/v1/apps/:appId/something-new/:id'), undefined);
  assert.equal(routeNeed('POST', '/v1/elsewhere'), undefined);
  assert.equal(routeNeed('GET', '/v1/elsewhere'), undefined);
  assert.equal(routeNeed('GET', '/v1/apps/:appId/something-new'), 'viewer');
  // A look-alike prefix is not the family.
  assert.equal(routeNeed('POST', '/v1/apps/:appId/usersx'), undefined);
});
