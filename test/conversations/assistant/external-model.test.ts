/**
 * The external model hook against a real HTTP server on loopback playing the operator's
 * model: what it is sent, what it may answer, and a hand-off to a person whenever it is
 * slow, down or makes no sense.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExternalModel } from '../../../src/conversations/assistant/index.ts';
import { MAX_MODEL_RESPONSE_BYTES } from '../../../src/conversations/assistant/external-model.ts';
import { DELIVERY_KB } from './delivery-knowledge-base.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler = (_req, _body, res) => res.end();
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reply`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (value: unknown, status = 200): Handler => (_req, _body, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

const model = (extra: Partial<Parameters<typeof createExternalModel>[0]> = {}) => createExternalModel({ url, token: 'model-token-1', intents: DELIVERY_KB.intents, timeoutMs: 2_000, ...extra });

test('the request: the message, the language, the history and the intent names, with the bearer token', async () => {
  handler = json({ kind: 'answer', text: 'Votre colis arrive demain.', confidence: 0.9, language: 'fr' });
  received.length = 0;
  const reply = await model().reply({ message: 'mon colis ?', language: 'fr', history: [{ from: 'assistant', text: 'Bonjour' }] });
  assert.deepEqual(reply, { kind: 'answer', text: 'Votre colis arrive demain.', confidence: 0.9, language: 'fr', matched: { source: 'model' } });
  assert.equal(received.length, 1);
  assert.equal(received[0]!.headers.authorization, 'Bearer model-token-1');
  assert.equal(received[0]!.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(received[0]!.body), {
    message: 'mon colis ?',
    language: 'fr',
    history: [{ from: 'assistant', text: 'Bonjour' }],
    intents: ['track_order', 'reschedule', 'book_appointment'],
  });
});

test('an intent named by the model gets the knowledge base’s action, not one of the model’s', async () => {
  handler = json({ kind: 'intent', intent: 'track_order', confidence: 0.8, action: { webhook: 'https://evil.example/' } });
  assert.deepEqual(await model().reply({ message: 'where is it' }), {
    kind: 'intent', intent: 'track_order', action: { webhook: 'https://shop.example/hooks/track-order' }, confidence: 0.8, language: 'en',
  });
});

test('below the threshold, or the model’s own hand-off: to a person', async () => {
  handler = json({ kind: 'answer', text: 'Maybe?', confidence: 0.2 });
  assert.deepEqual(await model().reply({ message: 'hmm' }), { kind: 'handoff', reason: 'low_confidence', confidence: 0.2 });
  handler = json({ kind: 'handoff' });
  assert.deepEqual(await model().reply({ message: 'hmm' }), { kind: 'handoff', reason: 'low_confidence', confidence: 0 });
});

/** A deadline the test passes by hand, once the model has the request: no waiting on a clock. */
function heldDeadline(): { deadline: (ms: number) => AbortSignal; pass: () => void; asked: number[] } {
  const controller = new AbortController();
  const asked: number[] = [];
  return {
    deadline: (ms) => (asked.push(ms), controller.signal),
    pass: () => controller.abort(new DOMException('The deadline passed', 'TimeoutError')),
    asked,
  };
}

test('a model that does not answer by the deadline: handed off when it passes', async () => {
  const clock = heldDeadline();
  const pending: ServerResponse[] = [];
  handler = (_req, _body, res) => {
    pending.push(res); // never answers
    clock.pass();
  };
  const reply = await model({ timeoutMs: 1_500, deadline: clock.deadline }).reply({ message: 'where is my parcel' });
  assert.deepEqual(reply, { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
  assert.deepEqual(clock.asked, [1_500], 'the configured timeout');
  assert.equal(pending.length, 1, 'the model was asked');
  for (const res of pending) res.destroy();
});

test('headers sent, then the body stalls: the same deadline holds', async () => {
  const clock = heldDeadline();
  const pending: ServerResponse[] = [];
  let headersSeen = false;
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"kind": "ans');
    pending.push(res);
  };
  // The deadline passes once the client holds the headers, while it reads the body.
  const watching: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    headersSeen = true;
    clock.pass();
    return response;
  };
  assert.deepEqual(await model({ deadline: clock.deadline, fetch: watching }).reply({ message: 'x y' }), { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
  assert.ok(headersSeen);
  for (const res of pending) res.destroy();
});

test('the default deadline is a real timer: a model that never answers is left after timeoutMs', async () => {
  const pending: ServerResponse[] = [];
  handler = (_req, _body, res) => void pending.push(res);
  assert.deepEqual(await model({ timeoutMs: 50 }).reply({ message: 'hello' }), { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
  for (const res of pending) res.destroy();
});

test('bad responses: not JSON, another shape, an unknown intent, too long, too big', async () => {
  const bad: Handler[] = [
    (_req, _body, res) => res.end('<html>Bad gateway</html>'),
    json({ answer: 'hello' }),
    json({ kind: 'answer', text: 'hi', confidence: 7 }),
    json({ kind: 'intent', intent: 'delete_account', confidence: 0.99 }),
    json({ kind: 'answer', text: 'x'.repeat(1_001), confidence: 0.9 }),
    (_req, _body, res) => res.end(JSON.stringify({ kind: 'answer', text: 'hi', confidence: 0.9, pad: 'x'.repeat(MAX_MODEL_RESPONSE_BYTES) })),
  ];
  for (const [i, h] of bad.entries()) {
    handler = h;
    assert.deepEqual(await model().reply({ message: 'hello' }), { kind: 'handoff', reason: 'model_bad_response', confidence: 0 }, `case ${i}`);
  }
});

test('an error status, a redirect or nobody listening: unavailable', async () => {
  handler = json({ kind: 'answer', text: 'hi', confidence: 0.9 }, 500);
  assert.deepEqual(await model().reply({ message: 'hello' }), { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
  handler = (_req, _body, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
  assert.deepEqual(await model().reply({ message: 'hello' }), { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assert.deepEqual(await createExternalModel({ url: `http://127.0.0.1:${port}/` }).reply({ message: 'hello' }), { kind: 'handoff', reason: 'model_unavailable', confidence: 0 });
});
