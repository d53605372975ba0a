import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSyncAnswer, SYNC_ANSWER_MAX_BYTES } from './sync-answer.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

test('a JSON body {text, actions?} is an answer; an empty one or a 204 means later', () => {
  assert.deepEqual(readSyncAnswer({ status: 200, headers: { 'content-type': 'Application/JSON; charset=utf-8' }, body: '{"text":"Hi","actions":[{"action":"a","title":"A","url":"/orders/1"}]}' }), {
    ok: true,
    answer: { text: 'Hi', actions: [{ action: 'a', title: 'A', url: '/orders/1' }] },
  });
  assert.equal(readSyncAnswer({ status: 204, headers: {}, body: '' }), undefined);
  assert.equal(readSyncAnswer({ status: 200, headers: JSON_TYPE, body: ' \r\n' }), undefined);
});

test('a body the transport may have cut (no content-length, 2 KB kept) is refused whole, not read in part', () => {
  // What the transport hands over of a chunked body of 3 KB: its first 2,048 bytes, whose JSON may even parse.
  const kept = `{"text":"${'x'.repeat(2000)}"}`.slice(0, 2048);
  const read = readSyncAnswer({ status: 200, headers: JSON_TYPE, body: kept });
  assert.equal(read?.ok, false);
  assert.match((read as { note: { reason: string } }).note.reason, new RegExp(`passes ${SYNC_ANSWER_MAX_BYTES} bytes`));
  const announced = readSyncAnswer({ status: 200, headers: { ...JSON_TYPE, 'content-length': '5000' }, body: '{"text":"Hi"}' });
  assert.equal(announced?.ok, false);
});

test('what is not an answer says why, with the pointer of the field', () => {
  const reason = (body: string, headers: Record<string, string> = JSON_TYPE) => {
    const read = readSyncAnswer({ status: 200, headers, body });
    assert.equal(read?.ok, false, body);
    return (read as { note: { outcome: string; reason: string } }).note;
  };
  assert.match(reason('{"text":1}').reason, /^#\/text: /);
  assert.match(reason('{"text":"Hi","actions":[{"action":"a","title":"A","url":"data:text/html,x"}]}').reason, /^#\/actions\/0\/url: /);
  assert.match(reason('[]').reason, /^#: /);
  assert.equal(reason('{"text":"Hi"}', { 'content-type': 'text/plain' }).outcome, 'ignored');
  assert.equal(reason('{"text":"Hi"}', {}).outcome, 'ignored');
  assert.match(reason('{"text":').reason, /not JSON/);
});
