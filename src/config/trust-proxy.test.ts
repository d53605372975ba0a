import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustProxyOption } from './trust-proxy.ts';

test('trustProxy: off, everything, a hop count, or addresses and CIDRs; anything else is refused', () => {
  assert.equal(trustProxyOption(''), false);
  assert.equal(trustProxyOption('false'), false);
  assert.equal(trustProxyOption('true'), true);
  const hops = trustProxyOption('2') as (address: string, hop: number) => boolean;
  assert.deepEqual([0, 1, 2].map((hop) => hops('10.0.0.1', hop)), [true, true, false]);
  assert.deepEqual(trustProxyOption('10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8'), ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
  for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.256']) {
    assert.throws(() => trustProxyOption(bad), /not an IP address or CIDR/, bad);
  }
});
