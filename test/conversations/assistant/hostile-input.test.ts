/**
 * Hostile messages: what a user can send as a reply, answered at once and never by
 * mistake. Tests assert what comes back, not how long it took (timings belong in bench/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex, match } from '../../../src/conversations/assistant/index.ts';
import { MAX_MESSAGE_CHARS, MAX_WORDS, words } from '../../../src/conversations/assistant/tokenise.ts';
import { DELIVERY_KB } from './delivery-knowledge-base.ts';

const index = buildIndex(DELIVERY_KB);

test('a huge message is cut: only its first MAX_MESSAGE_CHARS characters are read', () => {
  const question = 'where is my parcel ';
  const filler = 'x'.repeat(MAX_MESSAGE_CHARS); // one unknown word past the cut
  const reply = match(index, question + filler + ' refund refund refund');
  assert.equal(reply.kind === 'intent' && reply.intent, 'track_order');
  // The same question after MAX_MESSAGE_CHARS of noise is never read.
  const late = match(index, '!'.repeat(MAX_MESSAGE_CHARS) + question);
  assert.deepEqual(late, { kind: 'handoff', reason: 'no_words', confidence: 0 });
});

test('ten megabytes of words: at most MAX_WORDS kept', () => {
  const text = 'parcel '.repeat(1_500_000);
  assert.equal(words(text).length, Math.min(MAX_WORDS, Math.ceil(MAX_MESSAGE_CHARS / 7)));
  assert.equal(match(index, text).kind, 'intent');
});

test('only punctuation, only emoji, empty: no words, handed to a person', () => {
  for (const message of ['?!?!...;;', '📦🚚😡🙏🏽👍', '', '   \n\t', "''''''", '’’’', '-\u0301\u0301\u0301']) {
    assert.deepEqual(match(index, message), { kind: 'handoff', reason: 'no_words', confidence: 0 }, JSON.stringify(message));
  }
});

test('only stop words: no words either', () => {
  assert.deepEqual(match(index, 'is it that I am of the?'), { kind: 'handoff', reason: 'no_words', confidence: 0 });
  assert.deepEqual(match(index, 'est-ce que je le', { language: 'fr' }), { kind: 'handoff', reason: 'no_words', confidence: 0 });
});

test('mixed scripts: unknown words lower the confidence, the known ones still count', () => {
  assert.equal(match(index, 'Где моя посылка?').kind, 'handoff');
  assert.equal(match(index, '我的包裹在哪里').kind, 'handoff');
  assert.equal(match(index, 'مرحبا 📦 أين طردي').kind, 'handoff');
  const mixed = match(index, 'where is my parcel 📦 посылка');
  assert.equal(mixed.kind === 'intent' && mixed.intent, 'track_order');
});

test('inputs that make careless patterns backtrack come back (no pattern spans the input)', () => {
  // Apostrophes and letters alternating, long runs of marks, a word just over and under the word limit.
  const tricky = ["a'".repeat(50_000), "'".repeat(100_000) + 'x', 'e\u0301'.repeat(50_000), 'é'.repeat(41) + ' refund', '\ud83d'.repeat(1_000) + ' refund'];
  for (const message of tricky) {
    const reply = match(index, message);
    assert.ok(['handoff', 'answer', 'intent'].includes(reply.kind));
  }
  assert.equal(match(index, 'é'.repeat(41) + ' refund', { language: 'en' }).kind, 'answer'); // the 41-letter run is dropped, refund kept
});

test('typo search is bounded: sixty-four unknown long words still answer', () => {
  const unknown = Array.from({ length: 64 }, (_, i) => `zqxwvut${i}abcdefgh`).join(' ');
  assert.equal(match(index, unknown).kind, 'handoff');
});
