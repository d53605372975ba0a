/**
 * How the server serves the dashboard (src/http/routes/dashboard.ts): the index revalidated
 * and under a strict Content-Security-Policy, hashed assets cached for a year, client routes
 * answered with the index, and a clear page when the dashboard is not built.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { dashboardRoutes } from '../../src/http/routes/dashboard.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'carillon-dashboard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(dist: string) {
  const app = Fastify();
  dashboardRoutes(app, { dir: dist });
  await app.ready();
  return app;
}

test('a built dashboard: the index with CSP and no-cache, assets immutable, client routes answered with the index', async () => {
  const dist = path.join(dir, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/index-abc123.js"></script>');
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  const app = await serve(dist);

  const index = await app.inject('/dashboard/');
  assert.equal(index.statusCode, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  const csp = String(index.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) assert.ok(csp.includes(directive), directive);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline script, no other origin');

  const asset = await app.inject('/dashboard/assets/index-abc123.js');
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.body, 'console.log(1)');
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(asset.headers['content-type']), /^text\/javascript/);

  const route = await app.inject('/dashboard/apps/app_123');
  assert.equal(route.statusCode, 200);
  assert.equal(route.body, index.body, 'a client route is the app');
  assert.equal((await app.inject('/dashboard')).headers.location, '/dashboard/');
  const missing = await app.inject('/dashboard/assets/index-old.js');
  assert.equal(missing.statusCode, 404, 'an asset of an older build is not answered with the index');
  await app.close();
});

test('without a build, /dashboard/ says how to make one instead of a blank 404', async () => {
  const app = await serve(path.join(dir, 'nothing-here'));
  for (const url of ['/dashboard/', '/dashboard/apps']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /The dashboard is not built/);
    assert.match(res.body, /npm run build:dashboard/);
  }
  await app.close();
});
