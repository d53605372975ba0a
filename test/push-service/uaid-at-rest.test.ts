/**
 * The uaid is the only credential of a push service WebSocket: whoever says it in
 * `hello` receives that browser's messages. It is stored as its SHA-256 and kept out of
 * the logs at every level; stored uaids of an older version are hashed by migration 008,
 * and their browsers keep working after the upgrade.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { encryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { hashEndpointToken, newEndpointToken, newMessageId, newUaid } from '../../src/push-service/identifiers.ts';
import { MIGRATIONS } from '../../src/store/migrate.ts';
import { STORES, createTestDatabase, type StoreKind } from '../support/carillon.ts';
import { FirefoxProfile, type BrowserSubscription } from './firefox-client.ts';
import { push, startPushService } from './harness.ts';

/** Every value of every row of the push service's tables, as one string to search. */
async function storedText(db: Kysely<any>): Promise<string> {
  const tables = await Promise.all(['push_uaids', 'push_channels', 'push_messages'].map((t) => db.selectFrom(t).selectAll().execute()));
  return JSON.stringify(tables);
}

/** A pino logger at trace level whose lines the test reads. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ level: 'trace' }, stream) };
}

for (const kind of STORES) {
  describe(`push service uaid at rest and in logs (${kind})`, () => {
    test('the store holds a hash of the uaid, not the uaid; the browser is still found by it', async () => {
      const ps = await startPushService(kind);
      try {
        const profile = new FirefoxProfile();
        const conn = await profile.connect(ps.wsUrl);
        const sub = await conn.subscribe();
        await conn.close();
        assert.equal((await push(sub.endpoint, sub, { payload: 'kept for later', ttl: 600 })).status, 201);
        const uaid = profile.uaid!;
        const stored = await storedText(ps.store.db);
        assert.ok(stored.includes(sub.channelID), 'the rows are there');
        assert.ok(!stored.includes(uaid), 'no row holds the uaid');

        const back = await profile.connect(ps.wsUrl);
        assert.equal(back.helloReply.uaid, uaid);
        assert.equal((await back.nextNotification()).plaintext, 'kept for later');
        await back.close();
      } finally {
        await ps.stop();
      }
    });
  });
}

describe('push service uaid in logs', () => {
  test('no log line at any level carries the uaid, through hello, subscribe, refusals, acks and close', async () => {
    const { lines, logger } = capturedLogger();
    const ps = await startPushService('sqlite', { maxChannelsPerUaid: 1 }, { logger });
    try {
      const profile = new FirefoxProfile();
      const conn = await profile.connect(ps.wsUrl);
      const sub = await conn.subscribe();
      // Past the uaid's subscriptions: refused, and logged.
      assert.equal((await conn.register()).status, 413);
      conn.send({ messageType: 'something_new' });
      conn.send({ messageType: 'nack', version: 'v1', code: 301 });
      conn.autoAck = false;
      assert.equal((await push(sub.endpoint, sub, { payload: 'x' })).status, 201);
      const note = await conn.nextNotification();
      conn.ack(note.channelID, note.version, 101);
      // A frame that is not JSON closes the connection, and is logged as it does.
      conn.send('not json');
      await conn.closed;
      const again = await profile.connect(ps.wsUrl);
      await again.close();
      const uaid = profile.uaid!;
      assert.ok(lines.length >= 5, `the connection logged (${lines.length} lines)`);
      const leaking = lines.filter((line) => line.includes(uaid));
      assert.deepEqual(leaking, []);
    } finally {
      await ps.stop();
    }
  });
});

/** Opens the database as the push service's store and applies the migrations before `version`, as an older release left it. */
async function olderStore(kind: StoreKind, before: number): Promise<{ db: Kysely<any>; dataDir?: string; databaseUrl?: string }> {
  let db: Kysely<any>;
  let dataDir: string | undefined;
  let databaseUrl: string | undefined;
  if (kind === 'sqlite') {
    dataDir = mkdtempSync(join(tmpdir(), 'carillon-push-old-'));
    const sqlite = new SQLite(join(dataDir, 'carillon.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    databaseUrl = await createTestDatabase();
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }) });
  }
  const dialect = kind === 'sqlite' ? 'sqlite' : 'postgres';
  await sql`create table schema_migrations (version integer primary key, name text not null, applied_at bigint not null)`.execute(db);
  for (const m of MIGRATIONS.filter((m) => m.version < before)) {
    await db.transaction().execute(async (tx) => {
      await m.up(tx, dialect);
      await sql`insert into schema_migrations (version, name, applied_at) values (${m.version}, ${m.name}, ${Date.now()})`.execute(tx);
    });
  }
  return { db, ...(dataDir ? { dataDir } : {}), ...(databaseUrl ? { databaseUrl } : {}) };
}

for (const kind of STORES) {
  describe(`migration 008 hashes stored uaids (${kind})`, () => {
    test('a browser stored the old way reconnects after the upgrade with its uaid, gets its stored messages, and can be pushed to', async () => {
      const old = await olderStore(kind, 8);
      const now = Date.now();
      // What an older release stored: the uaid in clear, a subscription and two waiting messages.
      const uaid = newUaid();
      const token = newEndpointToken();
      const ecdh = createECDH('prime256v1');
      const uaPublic = ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const channelID = randomUUID();
      const subscription: BrowserSubscription = {
        channelID,
        endpoint: '',
        keys: { p256dh: encodeBase64url(uaPublic), auth: encodeBase64url(authSecret) },
        uaPrivate: ecdh.getPrivateKey(),
        uaPublic,
        authSecret,
      };
      const other = newUaid();
      await old.db.insertInto('push_uaids').values([{ uaid, created_at: now, connected_at: now }, { uaid: other, created_at: now, connected_at: now }]).execute();
      await old.db
        .insertInto('push_channels')
        .values([
          { uaid, channel_id: channelID, token_hash: hashEndpointToken(token), app_server_key: null, created_at: now, unregistered_at: null },
          { uaid: other, channel_id: randomUUID(), token_hash: hashEndpointToken(newEndpointToken()), app_server_key: null, created_at: now, unregistered_at: null },
        ])
        .execute();
      for (const text of ['first while away', 'second while away']) {
        const body = encryptWebPush({ plaintext: Buffer.from(text), uaPublic, authSecret });
        await old.db
          .insertInto('push_messages')
          .values({ id: newMessageId(), uaid, channel_id: channelID, topic: null, urgency: 'normal', data: encodeBase64url(body), encoding: 'aes128gcm', created_at: now, expires_at: now + 3_600_000, delivery_ref: null })
          .execute();
      }
      await old.db.destroy();

      // The upgrade: the push service opens the store, which runs migration 008.
      const ps = await startPushService(kind, {}, { ...(old.dataDir ? { dataDir: old.dataDir } : {}), ...(old.databaseUrl ? { databaseUrl: old.databaseUrl } : {}) });
      try {
        ps.clock.now = now;
        const stored = await storedText(ps.store.db);
        assert.ok(!stored.includes(uaid) && !stored.includes(other), 'no uaid is left in clear');
        assert.equal((await ps.store.db.selectFrom('push_uaids').selectAll().execute()).length, 2);

        const profile = new FirefoxProfile();
        profile.uaid = uaid;
        profile.subscriptions.set(channelID, subscription);
        const conn = await profile.connect(ps.wsUrl);
        assert.equal(conn.helloReply.uaid, uaid, 'the same uaid is kept');
        const got = [await conn.nextNotification(), await conn.nextNotification()];
        assert.deepEqual(got.map((n) => n.plaintext), ['first while away', 'second while away']);
        assert.deepEqual(got.map((n) => n.code), [100, 100]);
        // Its old endpoint still reaches it.
        const live = await push(`${ps.url}/push/${token}`, subscription, { payload: 'after the upgrade' });
        assert.equal(live.status, 201, live.text);
        assert.equal((await conn.nextNotification()).plaintext, 'after the upgrade');
        await conn.close();
      } finally {
        await ps.stop();
      }
    });
  });
}
