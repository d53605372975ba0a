import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicAddress } from './address-policy.ts';

const NOT_PUBLIC: ReadonlyArray<readonly [string, string]> = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '"this network" 0/8'],
  ['10.0.0.1', 'private 10/8'],
  ['10.255.255.255', 'private 10/8, last'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.254', 'CGNAT 100.64/10, last'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback 127/8'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['172.16.0.1', 'private 172.16/12, first'],
  ['172.31.255.255', 'private 172.16/12, last'],
  ['192.0.0.9', 'IETF protocol assignments'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['192.168.1.1', 'private 192.168/16'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking, last'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.9', 'TEST-NET-3'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback, long form'],
  ['fc00::1', 'ULA fc00::/7'],
  ['fd12:3456:789a::1', 'ULA fd00::/8'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local, last /10'],
  ['fe80::1%eth0', 'link-local with zone id'],
  ['fec0::1', 'deprecated site-local'],
  ['ff02::1', 'multicast'],
  ['ff0e::101', 'global-scope multicast'],
  ['100::1', 'discard-only'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation (RFC 9637)'],
  ['2001::1', 'Teredo'],
  ['2001:2::1', 'benchmarking'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  // IPv6 forms that embed a non-public IPv4 address
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback, long form'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata address'],
  ['::ffff:0.0.0.0', 'IPv4-mapped unspecified'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::7f00:1', 'IPv4-compatible loopback, hex'],
  ['::8.8.8.8', 'IPv4-compatible (deprecated) even when public'],
  ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
  ['::ffff:0:7f00:1', 'SIIT IPv4-translated'],
  // Not an IP address at all: fail closed
  ['', 'empty'],
  ['localhost', 'hostname'],
  ['[::1]', 'bracketed'],
  ['127.1', 'shorthand IPv4'],
  ['1.2.3.04', 'leading zero'],
  ['2130706433', 'integer IPv4'],
];

const PUBLIC: ReadonlyArray<readonly [string, string]> = [
  ['93.184.216.34', 'public IPv4'],
  ['8.8.8.8', 'public IPv4'],
  ['1.1.1.1', 'public IPv4'],
  ['172.15.255.255', 'just below 172.16/12'],
  ['172.32.0.1', 'just above 172.16/12'],
  ['100.63.255.255', 'just below CGNAT'],
  ['100.128.0.1', 'just above CGNAT'],
  ['192.169.0.1', 'just above 192.168/16'],
  ['223.255.255.255', 'just below multicast'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2a00:1450:4001:80b::200a', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 in 2001::/16 but outside 2001::/23'],
  ['::ffff:93.184.216.34', 'IPv4-mapped public'],
  ['::ffff:5db8:d822', 'IPv4-mapped public, hex'],
  ['64:ff9b::808:808', 'NAT64 of 8.8.8.8'],
  ['2002:808:808::1', '6to4 of 8.8.8.8'],
];

test('non-public addresses are refused', () => {
  for (const [ip, why] of NOT_PUBLIC) {
    assert.equal(isPublicAddress(ip), false, `${ip} (${why}) must not be public`);
  }
});

test('public addresses are allowed', () => {
  for (const [ip, why] of PUBLIC) {
    assert.equal(isPublicAddress(ip), true, `${ip} (${why}) must be public`);
  }
});
