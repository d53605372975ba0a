import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pino from 'pino';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.secrets';

/** Lines of a PEM's base64 body, and the body joined: none may appear anywhere but sealed. */
function secretFragments(pem: string): string[] {
  const lines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  return [...lines.filter((l) => l.length >= 40), lines.join('')];
}

/** Every row of every table, as text. */
async function dumpDatabase(c: TestCarillon): Promise<string> {
  const db = c.ctx.store.db;
  const tables =
    c.ctx.store.caps.dialect === 'postgres'
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows;
  const parts: string[] = [];
  for (const { name } of tables) parts.push(JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(db)).rows));
  return parts.join('\n');
}

for (const kind of STORES) {
  describe(`credentials API (${kind})`, () => {
    let c: TestCarillon;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;
    const logs: string[] = [];
    const answers: string[] = [];

    const call = async (method: string, url: string, key: string, body?: unknown) => {
      const res = await c.api(method, url, { key, body });
      answers.push(JSON.stringify(res.body));
      return res;
    };

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      // The most verbose level: nothing logged may carry a secret.
      const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url }, { providerCa: TEST_CA, logger });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close()]);
    });

    test('set, list and delete APNs and FCM credentials; answers never carry the key', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const account = fcm.createServiceAccount();
      const base = `/v1/apps/${app.id}/credentials`;

      const put = await call('PUT', `${base}/apns`, app.secretKey, { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE });
      assert.equal(put.status, 200);
      assert.deepEqual(Object.keys(put.body).sort(), ['createdAt', 'keyId', 'kind', 'teamId', 'topic', 'updatedAt']);
      assert.deepEqual([put.body.kind, put.body.keyId, put.body.teamId, put.body.topic], ['apns', team.keyId, team.teamId, BUNDLE]);

      const putFcm = await call('PUT', `${base}/fcm`, app.secretKey, { serviceAccount: account });
      assert.equal(putFcm.status, 200);
      assert.deepEqual(putFcm.body, {
        kind: 'fcm',
        projectId: account.project_id,
        clientEmail: account.client_email,
        privateKeyId: account.private_key_id,
        tokenUri: account.token_uri,
        createdAt: putFcm.body.createdAt,
        updatedAt: putFcm.body.updatedAt,
      });

      const list = await call('GET', base, app.secretKey);
      assert.deepEqual(list.body.data.map((d: any) => d.kind), ['apns', 'fcm']);

      // Replacing keeps createdAt and moves updatedAt.
      const again = await call('PUT', `${base}/apns`, app.secretKey, { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE });
      assert.equal(again.body.createdAt, put.body.createdAt);

      // The publishable key is for browsers and devices: it may not touch credentials.
      assert.equal((await call('GET', base, app.publishableKey)).status, 403);
      assert.equal((await call('PUT', `${base}/apns`, app.publishableKey, { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE })).status, 403);

      assert.equal((await call('DELETE', `${base}/fcm`, app.secretKey)).status, 204);
      const gone = await call('DELETE', `${base}/fcm`, app.secretKey);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, 'credentials_not_found');
      assert.deepEqual((await call('GET', base, app.secretKey)).body.data.map((d: any) => d.kind), ['apns']);
    });

    test('unusable credentials are refused with credentials_invalid and the field at fault, without quoting the key', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const account = fcm.createServiceAccount();
      const base = `/v1/apps/${app.id}/credentials`;
      const apnsCase = async (patch: Record<string, string>, field: string) => {
        const res = await call('PUT', `${base}/apns`, app.secretKey, { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE, ...patch });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'credentials_invalid');
        assert.equal(res.body.field, field);
      };
      await apnsCase({ key: 'not a key' }, 'key');
      await apnsCase({ key: account.private_key! }, 'key'); // an RSA key is not an ES256 key
      await apnsCase({ keyId: 'abc' }, 'keyId');
      await apnsCase({ teamId: 'lowercase10' }, 'teamId');
      await apnsCase({ topic: 'no-dots' }, 'topic');
      const fcmCase = async (patch: Record<string, unknown>, field: string) => {
        const res = await call('PUT', `${base}/fcm`, app.secretKey, { serviceAccount: { ...account, ...patch } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'credentials_invalid');
        assert.equal(res.body.field, field);
      };
      await fcmCase({ type: 'authorized_user' }, 'serviceAccount.type');
      await fcmCase({ private_key: team.key }, 'serviceAccount.private_key'); // an EC key cannot sign RS256
      await fcmCase({ client_email: undefined }, 'serviceAccount.client_email');
      await fcmCase({ token_uri: 'ftp://example.com/token' }, 'serviceAccount.token_uri');
      assert.equal((await call('GET', base, app.secretKey)).body.data.length, 0, 'nothing stored');
    });

    test('a token_uri on a private address is refused unless private endpoints are allowed (SSRF)', async () => {
      const strict = await startCarillon(kind, { allowPrivateEndpoints: false });
      try {
        const app = await strict.createApp();
        const res = await strict.api('PUT', `/v1/apps/${app.id}/credentials/fcm`, { key: app.secretKey, body: { serviceAccount: fcm.createServiceAccount() } });
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'credentials_invalid');
        assert.equal(res.body.field, 'serviceAccount.token_uri');
      } finally {
        await strict.stop();
      }
    });

    test('keys never appear in clear in API answers, logs or the database; they are sealed under the master key id', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const account = fcm.createServiceAccount();
      await call('PUT', `/v1/apps/${app.id}/credentials/apns`, app.secretKey, { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE });
      await call('PUT', `/v1/apps/${app.id}/credentials/fcm`, app.secretKey, { serviceAccount: account });
      // Use them, so the workers open them: deliveries, a refused token and its warning log.
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      for (const body of [
        { channel: 'apns', token: iphone, userId: 's' },
        { channel: 'fcm', token: pixel, userId: 's' },
      ]) {
        assert.equal((await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) })).status, 201);
      }
      apns.expireProviderTokens();
      const sent = await call('POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: { userIds: ['s'] }, title: 'hi' });
      const status = await c.waitCompleted(app.id, app.secretKey, sent.body.id);
      assert.equal(status.counts.delivered, 2);

      const rows = await c.ctx.store.db.selectFrom('app_credentials').selectAll().where('app_id', '=', app.id).orderBy('kind').execute();
      assert.equal(rows.length, 2);
      for (const r of rows) {
        assert.equal(r.master_key_id, c.ctx.secrets.keyId);
        assert.ok(r.sealed.startsWith(`v1.${c.ctx.secrets.keyId}.`), 'AES-256-GCM sealed, naming its master key');
      }

      const fragments = [...secretFragments(team.key), ...secretFragments(account.private_key!)];
      const database = await dumpDatabase(c);
      const logText = logs.join('');
      const answerText = answers.join('\n');
      assert.ok(logText.length > 0 && database.length > 0 && answerText.length > 0);
      for (const f of fragments) {
        assert.ok(!database.includes(f), 'no key in clear in the database');
        assert.ok(!logText.includes(f), 'no key in the logs');
        assert.ok(!answerText.includes(f), 'no key in API answers');
      }
      assert.ok(!logText.includes('PRIVATE KEY'), 'no PEM in the logs');
      assert.ok(!answerText.includes('PRIVATE KEY'), 'no PEM in API answers');
    });
  });
}
