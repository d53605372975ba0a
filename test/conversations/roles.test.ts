/**
 * Who may do what with conversations from the dashboard: every member of the app reads the
 * threads and the knowledge base; an editor answers (as a person), closes and uploads; a
 * viewer does none of that.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, sendAnswerable, subscribe } from './fixture.ts';

const PASSWORD = 'a long enough passphrase';

for (const kind of STORES) {
  describe(`conversations from the dashboard (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    before(async () => {
      c = await startCarillon(kind, { loginAttemptsPerAddress: 1000 });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a viewer reads, an editor answers as a person and closes', async () => {
      const app = await c.createApp();
      const as = async (role: string) => {
        const email = `${role}@example.org`;
        assert.equal((await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email, password: PASSWORD } })).status, 201);
        const member = await c.api('POST', `/v1/apps/${app.id}/members`, { key: c.adminKey, body: { email, role } });
        assert.ok(member.status < 300, JSON.stringify(member.body));
        const res = await c.api('POST', '/v1/session', { body: { email, password: PASSWORD } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const cookie = String(res.headers['set-cookie']).split(';')[0]!;
        return (method: string, url: string, body?: unknown) => c.api(method, url, { headers: { cookie, 'x-csrf-token': res.body.csrfToken }, ...(body !== undefined ? { body } : {}) });
      };
      const viewer = await as('viewer');
      const editor = await as('editor');
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'webhook');
      const { conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;

      assert.equal((await viewer('GET', url)).status, 200);
      assert.equal((await viewer('GET', `/v1/apps/${app.id}/conversations`)).status, 200);
      const refused = await viewer('POST', `${url}/messages`, { text: 'Hello' });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal((await viewer('POST', `${url}/close`)).status, 403);
      assert.equal((await viewer('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, DELIVERY_KB)).status, 403);

      const answered = await editor('POST', `${url}/messages`, { text: 'Hello, Ana here from support.' });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      assert.equal(answered.body.author, 'person');
      assert.equal((await nthPush(sink, ana.sinkId, 2)).notification.body, 'Hello, Ana here from support.');
      assert.equal((await editor('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, DELIVERY_KB)).status, 200);
      assert.equal((await viewer('GET', `/v1/apps/${app.id}/assistant/knowledge-base`)).body.version, 1);
      assert.equal((await editor('POST', `${url}/close`)).body.state, 'closed');
      assert.deepEqual((await viewer('GET', url)).body.messages.map((m: any) => m.author), ['person']);
    });
  });
}
