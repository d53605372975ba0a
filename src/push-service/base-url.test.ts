import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBaseUrl } from './base-url.ts';

test('the base URL: configured, else the listening address, else the Host on a wildcard address', () => {
  assert.equal(resolveBaseUrl('https://push.example/', null), 'https://push.example');
  assert.equal(resolveBaseUrl('', { address: '127.0.0.1', family: 'IPv4', port: 8080 }), 'http://127.0.0.1:8080');
  assert.equal(resolveBaseUrl('', { address: '::1', family: 'IPv6', port: 8080 }), 'http://[::1]:8080');
  assert.equal(resolveBaseUrl('', { address: '0.0.0.0', family: 'IPv4', port: 8080 }, '192.0.2.7:8080'), 'http://192.0.2.7:8080');
  assert.throws(() => resolveBaseUrl('', { address: '0.0.0.0', family: 'IPv4', port: 8080 }, 'evil.example/path'));
});
