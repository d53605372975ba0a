import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import pg from 'pg';

// Proves that `npm test` hands the tests real servers, not stand-ins: each answer comes
// from the server process itself.

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the tests with \`npm test\`, which starts the services`);
  }
  return value;
}

test('CARILLON_TEST_DATABASE_URL reaches a PostgreSQL server', async () => {
  const client = new pg.Client({ connectionString: requireEnv('CARILLON_TEST_DATABASE_URL') });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; database: string }>(
      'SELECT version() AS version, current_database() AS database',
    );
    assert.match(rows[0]?.version ?? '', /^PostgreSQL \d+/);
    assert.equal(rows[0]?.database, new URL(requireEnv('CARILLON_TEST_DATABASE_URL')).pathname.slice(1));
  } finally {
    await client.end();
  }
});

test('CARILLON_TEST_REDIS_URL reaches a Redis server', async () => {
  const url = new URL(requireEnv('CARILLON_TEST_REDIS_URL'));
  assert.equal(url.protocol, 'redis:');
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    let received = '';
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('\r\n')) {
        socket.end();
        resolve(received);
      }
    });
  });
  assert.equal(reply, '+PONG\r\n');
});
