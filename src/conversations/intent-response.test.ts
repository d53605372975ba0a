import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slotsVerdict, webhookVerdict } from './intent-response.ts';

const res = (status: number, body: unknown, mediaType = 'application/json') => ({ status, mediaType, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('408, 429 and 5xx are worth another attempt; other statuses, redirects included, are not', () => {
  for (const status of [408, 429, 500, 502, 503]) assert.deepEqual(webhookVerdict(res(status, '')), { kind: 'retry', reason: `intent_unreachable: HTTP ${status}` });
  for (const status of [301, 302, 400, 401, 404, 410]) assert.deepEqual(webhookVerdict(res(status, '')), { kind: 'handoff', reason: `intent_refused: HTTP ${status}` });
});

test("a webhook's answer: {text, actions?} as the messages route takes it, +json accepted, 204 or empty is later", () => {
  assert.deepEqual(webhookVerdict(res(200, { text: 'On its way' }, 'application/vnd.shop+json')), { kind: 'answer', text: 'On its way', actions: [] });
  assert.deepEqual(webhookVerdict(res(201, { text: 'On its way', actions: [{ action: 'a', title: 'A' }] })), { kind: 'answer', text: 'On its way', actions: [{ action: 'a', title: 'A' }] });
  assert.deepEqual(webhookVerdict(res(204, '')), { kind: 'later' });
  assert.deepEqual(webhookVerdict(res(200, '  \n', '')), { kind: 'later' });
  assert.match((webhookVerdict(res(200, { text: 'x'.repeat(1_001) })) as { reason: string }).reason, /^intent_bad_response: #\/text: /);
  assert.match((webhookVerdict(res(200, { text: 'ok', extra: 1 })) as { reason: string }).reason, /^intent_bad_response: #\/extra: /);
  assert.match((webhookVerdict(res(200, ['ok'])) as { reason: string }).reason, /^intent_bad_response: #: /);
});

test('slots: the first min(max, 3), other members ignored, the prompt in the thread language or Carillon’s', () => {
  const six = [1, 2, 3, 4, 5, 6].map((i) => ({ id: `s${i}`, label: `Slot ${i}`, startsAt: `2026-01-0${i}` }));
  const four = slotsVerdict(res(200, six), { max: 4, prompt: { en: 'Pick one:' } }, 'en');
  assert.deepEqual(four, { kind: 'answer', text: 'Pick one:', actions: [1, 2, 3].map((i) => ({ action: `slot:s${i}`, title: `Slot ${i}` })) });
  const one = slotsVerdict(res(200, six), { max: 1, prompt: { en: 'Pick one:' } }, 'fr');
  assert.deepEqual(one, { kind: 'answer', text: 'Voici les prochains créneaux libres :', actions: [{ action: 'slot:s1', title: 'Slot 1' }] });
  assert.match((slotsVerdict(res(200, [{ id: 'x'.repeat(60), label: 'L' }]), { max: 3 }, 'en') as { reason: string }).reason, /^intent_bad_response: #\/0\/id: /);
  assert.match((slotsVerdict(res(200, Array.from({ length: 101 }, (_, i) => ({ id: `s${i}`, label: 'L' }))), { max: 3 }, 'en') as { reason: string }).reason, /^intent_bad_response: #: /);
  assert.equal(slotsVerdict(res(200, []), { max: 3 }, 'en').kind, 'handoff');
});
