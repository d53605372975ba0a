import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, connect, type LookupFunction, type Server } from 'node:net';
import { test } from 'node:test';
import { EndpointRejectedError } from './endpoint-rejected-error.ts';
import { createSafeLookup, type Resolver } from './safe-lookup.ts';

/** A resolver that answers from a table and records what it was asked; no DNS. */
function fakeResolver(table: Record<string, LookupAddress[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const found = table[hostname];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(resolve, { asked });
}

const TABLE: Record<string, LookupAddress[]> = {
  'push.example.test': [{ address: '93.184.216.34', family: 4 }],
  'dual.example.test': [
    { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    { address: '93.184.216.34', family: 4 },
  ],
  'private.example.test': [{ address: '10.0.0.1', family: 4 }],
  'loopback.example.test': [{ address: '127.0.0.1', family: 4 }],
  'mapped.example.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'metadata.example.test': [{ address: '169.254.169.254', family: 4 }],
  'mixed.example.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '192.168.0.10', family: 4 },
  ],
  'empty.example.test': [],
};

type Outcome = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family: number | undefined };

/** Calls a lookup the way net.connect does, without connecting anywhere. */
function callLookup(lookup: LookupFunction, hostname: string, all: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    lookup(hostname, { all, hints: 0 }, (err, address, family) => resolve({ err, address, family }));
  });
}

test('hands over public addresses, in both shapes net.connect asks for', async () => {
  const lookup = createSafeLookup({ resolve: fakeResolver(TABLE) });

  const one = await callLookup(lookup, 'push.example.test', false);
  assert.equal(one.err, null);
  assert.equal(one.address, '93.184.216.34');
  assert.equal(one.family, 4);

  const all = await callLookup(lookup, 'dual.example.test', true);
  assert.equal(all.err, null);
  assert.deepEqual(all.address, TABLE['dual.example.test']);
});

test('refuses a name if any of its addresses is not public', async () => {
  const lookup = createSafeLookup({ resolve: fakeResolver(TABLE) });
  const cases: Array<[string, string]> = [
    ['private.example.test', '10.0.0.1'],
    ['loopback.example.test', '127.0.0.1'],
    ['mapped.example.test', '::ffff:127.0.0.1'],
    ['metadata.example.test', '169.254.169.254'],
    ['mixed.example.test', '192.168.0.10'],
  ];
  for (const [hostname, address] of cases) {
    for (const all of [false, true]) {
      const { err } = await callLookup(lookup, hostname, all);
      assert.ok(err instanceof EndpointRejectedError, `${hostname} should be refused`);
      assert.equal(err.reason, 'private_address');
      assert.equal(err.address, address);
    }
  }
});

test('allowPrivate hands over private addresses unchecked', async () => {
  const lookup = createSafeLookup({ resolve: fakeResolver(TABLE), allowPrivate: true });
  const { err, address } = await callLookup(lookup, 'loopback.example.test', false);
  assert.equal(err, null);
  assert.equal(address, '127.0.0.1');
});

test('passes resolver failures through, and treats an empty answer as not found', async () => {
  const lookup = createSafeLookup({ resolve: fakeResolver(TABLE) });
  const missing = await callLookup(lookup, 'nowhere.example.test', false);
  assert.equal(missing.err?.code, 'ENOTFOUND');
  assert.ok(!(missing.err instanceof EndpointRejectedError));
  const empty = await callLookup(lookup, 'empty.example.test', true);
  assert.equal(empty.err?.code, 'ENOTFOUND');
});

test('the system resolver is checked too (numeric hosts only: no DNS traffic)', async () => {
  const lookup = createSafeLookup();
  const loopback = await callLookup(lookup, '127.0.0.1', false);
  assert.ok(loopback.err instanceof EndpointRejectedError);
  const publicAddress = await callLookup(lookup, '93.184.216.34', false);
  assert.equal(publicAddress.err, null);
  assert.equal(publicAddress.address, '93.184.216.34');
});

async function listen(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port, connections: () => count };
}

test('net.connect with the safe lookup never reaches a name that rebinds to loopback', async (t) => {
  const { server, port, connections } = await listen();
  t.after(() => server.close());
  const resolve = fakeResolver(TABLE);

  const err = await new Promise<Error>((done, fail) => {
    const socket = connect({ host: 'loopback.example.test', port, lookup: createSafeLookup({ resolve }) });
    socket.on('connect', () => fail(new Error('connected')));
    socket.on('error', done);
  });
  assert.ok(err instanceof EndpointRejectedError);
  assert.equal(err.reason, 'private_address');
  assert.deepEqual(resolve.asked, ['loopback.example.test']);
  assert.equal(connections(), 0);

  // The same name with allowPrivate reaches the loopback server: the lookup is the only gate.
  await new Promise<void>((done, fail) => {
    const socket = connect({ host: 'loopback.example.test', port, lookup: createSafeLookup({ resolve, allowPrivate: true }) });
    socket.on('connect', () => {
      socket.destroy();
      done();
    });
    socket.on('error', fail);
  });
});
