/** An uploaded knowledge base: every problem listed with its pointer, or the base as typed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/errors/api-error.ts';
import { assertKnowledgeBase, KNOWLEDGE_BASE_LIMITS, validateKnowledgeBase } from '../../../src/conversations/assistant/index.ts';
import { DELIVERY_KB } from './delivery-knowledge-base.ts';

const pointers = (body: unknown): string[] => validateKnowledgeBase(body).map((p) => p.pointer);

test('the test set’s knowledge base is valid and comes back as it went in', () => {
  assert.deepEqual(validateKnowledgeBase(DELIVERY_KB), []);
  assert.equal(assertKnowledgeBase(DELIVERY_KB), DELIVERY_KB);
});

test('schema faults: each member at fault, by pointer', () => {
  const body = {
    pairs: [
      { id: 'ok', language: 'en', questions: ['Where are you?'], answer: 'Here.' },
      { id: 'Bad Id', language: 'de', questions: [], answer: '' },
    ],
    intents: [{ name: 'x', phrasings: { en: ['track my order'] }, action: { email: 'a@b.c' } }],
    extra: true,
  };
  const got = pointers(body);
  for (const p of ['#/pairs/1/id', '#/pairs/1/language', '#/pairs/1/questions', '#/pairs/1/answer', '#/intents/0/action']) assert.ok(got.includes(p), `${p} in ${got.join(' ')}`);
  assert.ok(got.some((p) => p === '#/extra' || p === '#'), 'the unknown member is named');
  assert.ok(!got.some((p) => p.startsWith('#/pairs/0')), 'the good pair is not');
});

test('limits: too many pairs, a question too long', () => {
  const pair = (i: number) => ({ id: `p${i}`, language: 'en', questions: ['parcel delivery question'], answer: 'a' });
  const tooMany = { pairs: Array.from({ length: KNOWLEDGE_BASE_LIMITS.maxPairs + 1 }, (_, i) => pair(i)) };
  assert.deepEqual(pointers(tooMany), ['#/pairs']);
  const long = { pairs: [{ ...pair(0), questions: ['x'.repeat(KNOWLEDGE_BASE_LIMITS.maxPhrasingChars + 1)] }] };
  assert.deepEqual(pointers(long), ['#/pairs/0/questions/0']);
});

test('meaning: ids used twice, an intent without phrasings, stop-word-only phrasings, action URLs', () => {
  const body = {
    pairs: [
      { id: 'a', language: 'en', questions: ['opening hours'], answer: '8 to 7' },
      { id: 'a', language: 'fr', questions: ['horaires', 'et le la'], answer: '8 h à 19 h' },
    ],
    intents: [
      { name: 'track', phrasings: {}, action: { webhook: 'http://shop.example/track' } },
      { name: 'track', phrasings: { en: ['the of and'] }, action: { offerSlots: { url: 'https://u:p@shop.example/slots#x', max: 2 } } },
    ],
  };
  const problems = validateKnowledgeBase(body);
  assert.deepEqual(problems.map((p) => p.pointer), [
    '#/pairs/1/id',
    '#/pairs/1/questions/1',
    '#/intents/0/phrasings',
    '#/intents/0/action/webhook',
    '#/intents/1/name',
    '#/intents/1/phrasings/en/0',
    '#/intents/1/action/offerSlots/url',
  ]);
  assert.match(problems[0]!.detail, /pairs\/0/);
  assert.match(problems[3]!.detail, /https/);
});

test('the refusal is invalid_knowledge_base, problem+json with every problem and the first pointer', () => {
  const body = { pairs: [{ id: 'a', language: 'en', questions: ['the'], answer: 'x' }, { id: 'a', language: 'en', questions: ['refund'], answer: 'y' }] };
  assert.throws(() => assertKnowledgeBase(body), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    const problem = error.toProblem();
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'invalid_knowledge_base');
    assert.equal(problem.type, '/docs/errors#invalid_knowledge_base');
    assert.equal(problem.pointer, '#/pairs/0/questions/0');
    assert.deepEqual((problem.errors as { pointer: string }[]).map((p) => p.pointer), ['#/pairs/0/questions/0', '#/pairs/1/id']);
    assert.match(String(problem.detail), /and 1 more/);
    return true;
  });
});

test('a hostile body: not an object, or thousands of faults, lists at most 50', () => {
  assert.ok(validateKnowledgeBase('pairs').length > 0);
  assert.ok(validateKnowledgeBase(null).length > 0);
  const faults = { pairs: Array.from({ length: 1_000 }, () => ({ id: '', language: 'xx', questions: 'no', answer: 5 })) };
  assert.equal(validateKnowledgeBase(faults).length, 50);
});

test('a pointer escapes ~ and / (RFC 6901 §3) and percent-encodes as a fragment (§6)', () => {
  const problems = validateKnowledgeBase({ pairs: [], 'a/b~c d': 1 });
  assert.ok(problems.some((p) => p.pointer === '#/a~1b~0c%20d'), JSON.stringify(problems));
});
