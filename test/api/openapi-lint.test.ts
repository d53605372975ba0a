/**
 * The OpenAPI document the server serves is linted with Redocly's `recommended` rules
 * (as set in redocly.yaml at the repository root), and held to what the API promises:
 * stable operation ids, error answers from the one catalogue as problem+json, public
 * routes marked public, deletes without a body.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ERRORS, type ErrorCode } from '../../src/errors/catalogue.ts';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const redocly = join(repoRoot, 'node_modules/@redocly/cli/bin/cli.js');
const PUBLIC_URL = 'https://push.carillon.test';

type Operation = Record<string, any>;

describe('the OpenAPI document', () => {
  let c: TestCarillon;
  let doc: Record<string, any>;
  let operations: { method: string; path: string; op: Operation }[];
  before(async () => {
    c = await startCarillon('sqlite', { publicUrl: `${PUBLIC_URL}/` });
    const res = await c.api('GET', '/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
    operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });
  after(() => c.stop());

  test('passes the recommended lint rules with no error and no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carillon-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      // Exit status 1 means problems were found; the JSON report says which.
      const run = promisify(execFile)(process.execPath, [redocly, 'lint', file, '--config', join(repoRoot, 'redocly.yaml'), '--format=json'], {
        cwd: repoRoot,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
      const report = JSON.parse((await run).stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
      const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      assert.deepEqual(problems, []);
      assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names the server, the license of package.json, and every operation by a stable camelCase id with a summary', () => {
    assert.deepEqual(doc.servers.map((s: { url: string }) => s.url), [PUBLIC_URL]);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(doc.info.license.name, pkg.license);
    assert.equal(doc.info.license.identifier, pkg.license);
    const ids = operations.map(({ op }) => op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    for (const { method, path, op } of operations) {
      assert.match(op.operationId ?? '', /^[a-z][a-zA-Z]+$/, `${method} ${path}`);
      assert.ok(op.summary, `${method} ${path} has a summary`);
      for (const [status, response] of Object.entries(op.responses as Record<string, { description: string }>)) {
        assert.notEqual(response.description, 'Default Response', `${method} ${path} ${status} says what it is`);
      }
    }
    // Clients are generated with these names: renaming one breaks them.
    for (const id of ['createApp', 'listApps', 'getApp', 'registerSubscription', 'listSubscriptions', 'deleteSubscription', 'sendNotification', 'getNotification', 'reportEvents']) {
      assert.ok(ids.includes(id), id);
    }
  });

  test('answers errors as problem+json with the catalogue codes of their status', () => {
    let checked = 0;
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Operation>)) {
        if (Number(status) < 400) continue;
        const where = `${method} ${path} ${status}`;
        checked += 1;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], where);
        const schema = response.content['application/problem+json'].schema;
        assert.deepEqual(schema.allOf, [{ $ref: '#/components/schemas/Problem' }], where);
        const codes: ErrorCode[] = schema.properties.code.enum;
        assert.ok(codes.length > 0, where);
        for (const code of codes) {
          assert.equal(ERRORS[code]?.status, Number(status), `${where}: ${code} is a catalogue code of that status`);
          assert.ok(response.description.includes(`\`${code}\``), `${where}: the description names ${code}`);
        }
      }
    }
    assert.ok(checked >= operations.length, `${checked} error answers documented`);
  });

  test('needs a key everywhere but on the public routes, and says what a guard answers', () => {
    const open = operations.filter(({ op }) => Array.isArray(op.security) && op.security.length === 0).map(({ path }) => path);
    // Sign-in and the first start's setup are public too (docs/dashboard.md).
    assert.deepEqual(open.sort(), ['/docs/errors', '/healthz', '/metrics', '/public/apps/{appId}/alerts', '/public/apps/{appId}/alerts.atom', '/public/apps/{appId}/alerts/{alertId}', '/readyz', '/sdk/carillon-sw.js', '/sdk/carillon.js', '/v1/session', '/v1/session/setup', '/v1/apps/{appId}/mfa/devices', '/v1/apps/{appId}/mfa/challenges/{challengeId}/details', '/v1/apps/{appId}/mfa/challenges/{challengeId}/answer', '/authenticator/api/push-key', '/v1/reply', '/v1/reply/thread'].sort());
    for (const { method, path, op } of operations) {
      if (Array.isArray(op.security) && op.security.length === 0) continue;
      const where = `${method} ${path}`;
      // The operator's own session routes take the session cookie only (src/http/session-guard.ts).
      if (op.security?.[0]?.session) {
        const codes = op.responses['401']?.content['application/problem+json'].schema.properties.code.enum;
        assert.ok(codes.includes('session_required') && codes.includes('session_expired'), where);
        assert.ok(op.responses['403']?.content['application/problem+json'].schema.properties.code.enum.includes('csrf_invalid'), where);
        continue;
      }
      assert.deepEqual(op.responses['401']?.content['application/problem+json'].schema.properties.code.enum, ['unauthorized', 'invalid_api_key', 'session_expired'], where);
      assert.ok(op.responses['403']?.content['application/problem+json'].schema.properties.code.enum.includes('forbidden'), where);
      // Stands in for the lint rule operation-4xx-response, turned off for the public routes (redocly.yaml).
      if (op.parameters?.length || op.requestBody) assert.ok(op.responses['400'], `${where} declares its 400`);
    }
    // The publishable key is rated per client address.
    for (const id of ['getApp', 'registerSubscription', 'deleteSubscription', 'reportEvents']) {
      const op = operations.find((o) => o.op.operationId === id)!.op;
      assert.deepEqual(op.responses['429']?.content['application/problem+json'].schema.properties.code.enum, ['rate_limited'], id);
    }
  });

  test('documents deletes as 204 without a body, and the constraints the server checks', () => {
    const byId = (id: string) => operations.find((o) => o.op.operationId === id)!.op;
    for (const { method, path, op } of operations.filter((o) => o.method === 'DELETE')) {
      assert.ok(op.responses['204'], `${method} ${path}`);
      assert.equal(op.responses['204'].content, undefined, `${method} ${path} has no body`);
      assert.equal(op.responses['200'], undefined, `${method} ${path}`);
    }
    for (const id of ['listSubscriptions', 'listFailedJobs']) {
      const limit = byId(id).parameters.find((p: { name: string }) => p.name === 'limit');
      assert.equal(limit.required, false, `${id}: limit has a default`);
      assert.deepEqual([limit.schema.minimum, limit.schema.maximum, limit.schema.default], [1, 1000, 100], id);
    }
    const appId = byId('getApp').parameters.find((p: { name: string }) => p.name === 'appId');
    assert.deepEqual([appId.schema.pattern, appId.schema.maxLength], ['^[A-Za-z0-9_-]+$', 64]);
    const subscription = byId('registerSubscription').requestBody.content['application/json'].schema;
    assert.deepEqual(subscription.properties.channel.enum, ['webpush', 'apns', 'fcm']);
    assert.deepEqual(subscription.properties.tags.propertyNames, { pattern: '^[^\\u0000]{1,64}$', type: 'string' });
    assert.deepEqual([subscription.properties.tags.maxProperties, subscription.properties.tags.additionalProperties.maxLength], [50, 256]);
    const target = byId('sendNotification').requestBody.content['application/json'].schema.properties.to;
    const byTags = target.anyOf.find((t: Operation) => t.properties?.tags).properties.tags;
    assert.deepEqual([byTags.propertyNames.pattern, byTags.minProperties, byTags.maxProperties], ['^[^\\u0000]{1,64}$', 1, 10]);
  });
});
