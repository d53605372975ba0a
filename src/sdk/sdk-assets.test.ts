import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ApiError } from '../errors/api-error.ts';
import { SdkAssets } from './sdk-assets.ts';

const logger = pino({ level: 'silent' });

test('the SDK is built once and served from memory', async () => {
  let loads = 0;
  const assets = new SdkAssets({ logger, load: async () => ({ 'carillon.js': `export const n = ${++loads};`, 'carillon-sw.js': 'self;' }) });
  const [a, b] = await Promise.all([assets.get('carillon.js'), assets.get('carillon-sw.js')]);
  assert.equal(a.body, 'export const n = 1;');
  assert.equal(b.body, 'self;');
  assert.notEqual(a.etag, b.etag);
  assert.equal((await assets.get('carillon.js')).etag, a.etag);
  assert.equal(loads, 1);
});

test('a failed load is not cached: the next request tries again', async () => {
  let fail = true;
  const assets = new SdkAssets({
    logger,
    load: async () => {
      if (fail) throw new ApiError('sdk_unavailable');
      return { 'carillon.js': 'ok', 'carillon-sw.js': 'ok' };
    },
  });
  await assert.rejects(assets.get('carillon.js'), (err: ApiError) => err.code === 'sdk_unavailable' && err.status === 503);
  fail = false;
  assert.equal((await assets.get('carillon.js')).body, 'ok');
});
