/**
 * The intent client against a real HTTPS receiver on loopback: the address policy (a
 * literal and a name resolving to loopback both refused unless private addresses are
 * allowed), the deadline (held by the test, not waited for), the size cap and no redirects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { intentRequest, IntentCallError, MAX_INTENT_RESPONSE_BYTES, type IntentHttpOptions } from '../../src/conversations/intent-http.ts';
import { eventually } from '../support/eventually.ts';
import { resolverOf, startReceiver, TEST_CA, type Receiver } from '../webhooks/harness.ts';

describe('the intent client', () => {
  let rx: Receiver;
  let port: string;
  before(async () => {
    rx = await startReceiver({ tls: true });
    port = new URL(rx.url).port;
  });
  after(() => rx.close());

  const options = (o: Partial<IntentHttpOptions> = {}): IntentHttpOptions => ({ allowPrivate: () => true, timeoutMs: () => 10_000, lookup: resolverOf({ 'push.test': '127.0.0.1' }), ca: TEST_CA, ...o });
  const failure = async (p: Promise<unknown>): Promise<IntentCallError> => {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof IntentCallError, String(err));
      return err;
    }
    assert.fail('the request succeeded');
  };

  test('posts the body and reads the answer, its media type without parameters', async () => {
    rx.answer({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"text":"ok"}' });
    const res = await intentRequest(options(), { method: 'POST', url: `https://push.test:${port}/track`, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.deepEqual(res, { status: 200, mediaType: 'application/json', body: '{"text":"ok"}' });
    assert.equal(rx.received.at(-1)!.body, '{"a":1}');
  });

  test('a loopback address is refused when private addresses are not allowed: as a literal, and as what a name resolves to', async () => {
    const n = rx.received.length;
    const literal = await failure(intentRequest(options({ allowPrivate: () => false }), { method: 'GET', url: `https://127.0.0.1:${port}/slots`, headers: {} }));
    assert.equal(literal.failure, 'refused');
    assert.match(literal.message, /^private_address: /);
    const named = await failure(intentRequest(options({ allowPrivate: () => false }), { method: 'GET', url: `https://push.test:${port}/slots`, headers: {} }));
    assert.equal(named.failure, 'refused');
    assert.match(named.message, /^private_address: /);
    assert.equal(rx.received.length, n, 'never connected');
    const http = await failure(intentRequest(options(), { method: 'GET', url: `http://push.test:${port}/slots`, headers: {} }));
    assert.equal(http.failure, 'refused', 'https only, even where private addresses are allowed');
  });

  test("the deadline ends a request whose answer does not come: the test's signal, not a wait", async () => {
    rx.answer('hang');
    const held = new AbortController();
    let asked: number | undefined;
    const n = rx.received.length;
    const pending = intentRequest(options({ timeoutMs: () => 1234, deadline: (ms) => ((asked = ms), held.signal) }), { method: 'GET', url: `https://push.test:${port}/slots`, headers: {} });
    // The receiver has the request (it hangs): only then is the deadline passed.
    await eventually(() => assert.equal(rx.received.length, n + 1));
    held.abort();
    const err = await failure(pending);
    assert.equal(err.failure, 'timeout');
    assert.equal(asked, 1234, 'intentTimeout is what the deadline is asked for');
    assert.equal(err.message, 'no answer within 1234 ms');
  });

  test(`an answer over ${MAX_INTENT_RESPONSE_BYTES} bytes is cut off, declared or streamed`, async () => {
    rx.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(MAX_INTENT_RESPONSE_BYTES)}"` });
    assert.equal((await failure(intentRequest(options(), { method: 'GET', url: `https://push.test:${port}/slots`, headers: {} }))).failure, 'too_large');
    rx.answer({ status: 200, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: `"${'x'.repeat(MAX_INTENT_RESPONSE_BYTES)}"` });
    assert.equal((await failure(intentRequest(options(), { method: 'GET', url: `https://push.test:${port}/slots`, headers: {} }))).failure, 'too_large');
  });

  test('a redirect is an answer, not followed', async () => {
    const n = rx.received.length;
    rx.answer({ status: 302, headers: { location: `https://push.test:${port}/elsewhere` }, body: '' });
    const res = await intentRequest(options(), { method: 'GET', url: `https://push.test:${port}/slots`, headers: {} });
    assert.equal(res.status, 302);
    assert.equal(rx.received.length, n + 1);
  });

  test('a refused connection is unreachable', async () => {
    const err = await failure(intentRequest(options(), { method: 'GET', url: 'https://push.test:1/slots', headers: {} }));
    assert.equal(err.failure, 'unreachable');
  });
});
