/**
 * POST /authenticator/api/push-key takes no API key: it is rated per client address,
 * whatever app or token the caller names (authenticatorPushKeyPerAddress a minute).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of STORES) {
  describe(`the authenticator's push-key route is rated per address (${kind})`, () => {
    let c: TestCarillon;
    const clock = Date.now();
    before(async () => {
      c = await startCarillon(kind, { authenticatorPushKeyPerAddress: 3 }, { now: () => clock });
    });
    after(async () => {
      await c.stop();
    });

    test('an address gets its allowance across apps, then 429 with Retry-After, a live token included', async () => {
      const [a, b] = [await c.createApp(), await c.createApp()];
      const pushKey = (app: string, token: string) => c.api('POST', '/authenticator/api/push-key', { body: { app, token } });
      const e = await c.api('POST', `/v1/apps/${a.id}/mfa/enrollments`, { key: a.secretKey, body: { userId: 'ana' } });
      assert.equal(e.status, 201, JSON.stringify(e.body));
      const ok = await pushKey(a.id, e.body.token);
      assert.deepEqual([ok.status, ok.body.vapidPublicKey], [200, a.vapidPublicKey]);
      assert.equal((await pushKey(a.id, 'crl_mfe_guess1')).body.code, 'enrollment_token_invalid');
      assert.equal((await pushKey(b.id, 'crl_mfe_guess2')).body.code, 'enrollment_token_invalid');
      for (const [app, token] of [[b.id, 'crl_mfe_guess3'], [a.id, e.body.token]]) {
        const limited = await pushKey(app!, token!);
        assert.equal(limited.status, 429, JSON.stringify(limited.body));
        assert.equal(limited.body.code, 'rate_limited');
        assert.ok(Number(limited.headers['retry-after']) >= 1, JSON.stringify(limited.headers));
      }
    });
  });
}
