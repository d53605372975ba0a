/**
 * GET …/mfa/challenges/{id}?wait=N: the login server asks once and is answered when the
 * challenge is no longer pending. On the process that closes it, the poll is woken then (the
 * re-check is set longer than any wait here, so only the wake can end it early); on another
 * process, the re-check reads the change; with no change, the wait ends with the challenge
 * as it stands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createRuntime } from '../../src/runtime.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { answer, challenge, enroll, type TestApp } from './fixture.ts';
import { nonce } from './device.ts';

for (const kind of STORES) {
  describe(`long poll of a challenge (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    let clock = Date.now();
    const poll = (id: string, wait: number | string) => c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${id}?wait=${wait}`, { key: app.secretKey });

    before(async () => {
      c = await startCarillon(kind, { mfaWaitRecheck: 600_000 }, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('answered as soon as the device approves, denies, or another request closes it (superseded, seen expired)', async () => {
      const device = await enroll(c, sink, app, 'ana');
      const approved = (await challenge(c, app, 'ana')).body;
      const waiting = poll(approved.challengeId, 30);
      assert.equal((await answer(c, app, device, approved.challengeId, 'approve', approved.code, clock)).res.body.status, 'approved');
      const got = await waiting;
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.deepEqual([got.body.status, got.body.deviceId], ['approved', device.id]);

      const denied = (await challenge(c, app, 'ana')).body;
      const waitingDeny = poll(denied.challengeId, 30);
      await answer(c, app, device, denied.challengeId, 'deny', undefined, clock);
      assert.deepEqual([(await waitingDeny).body.status, (await waitingDeny).body.reason], ['denied', 'denied']);

      const superseded = (await challenge(c, app, 'ana')).body;
      const waitingSupersede = poll(superseded.challengeId, 30);
      const next = (await challenge(c, app, 'ana')).body;
      assert.deepEqual([(await waitingSupersede).body.status, (await waitingSupersede).body.reason], ['expired', 'superseded']);

      // Its time runs out on the server's clock; a plain read sees it and closes it, which wakes the poll.
      const waitingExpiry = poll(next.challengeId, 30);
      clock += 121_000;
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${next.challengeId}`, { key: app.secretKey })).body.status, 'expired');
      assert.deepEqual([(await waitingExpiry).body.status, (await waitingExpiry).body.reason], ['expired', 'timeout']);

      // Closed already: answered at once, whatever the wait.
      assert.equal((await poll(approved.challengeId, 30)).body.status, 'approved');
    });

    test('with no change, the wait ends with the challenge pending; the wait is bounded and checked', async () => {
      await enroll(c, sink, app, 'bo');
      const ch = (await challenge(c, app, 'bo')).body;
      const res = await poll(ch.challengeId, 1);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'pending');
      for (const wait of ['31', '-1', '1.5', 'soon']) {
        const bad = await poll(ch.challengeId, wait);
        assert.equal(bad.status, 400, `${wait}: ${JSON.stringify(bad.body)}`);
        assert.equal(bad.body.code, 'invalid_request');
      }
      const unknown = await poll('mfc_nope', 5);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'challenge_not_found');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${ch.challengeId}?wait=5`, { key: app.publishableKey })).status, 403);
    });

    if (kind === 'postgres') {
      test('an answer that arrives on another API process is seen by the re-check', async () => {
        // A second process of the same installation (same database, same master key), whose
        // polls re-check every 50 ms; the answer goes to the first one, which cannot wake it.
        const other = await createRuntime({ ...c.ctx.config, mfaWaitRecheck: 50 }, { logger: pino({ level: 'silent' }), now: () => clock });
        try {
          const device = await enroll(c, sink, app, 'cleo');
          const ch = (await challenge(c, app, 'cleo')).body;
          const waiting = other.app.inject({ method: 'GET', url: `/v1/apps/${app.id}/mfa/challenges/${ch.challengeId}?wait=30`, headers: { authorization: `Bearer ${app.secretKey}` } });
          const jws = await device.sign({ challengeId: ch.challengeId, nonce: nonce(), purpose: 'answer', decision: 'approve', code: ch.code, exp: Math.floor(clock / 1000) + 60 });
          assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${ch.challengeId}/answer`, { body: { answer: jws } })).body.status, 'approved');
          assert.equal((await waiting).json().status, 'approved');
        } finally {
          await other.close();
        }
      });
    }
  });
}
