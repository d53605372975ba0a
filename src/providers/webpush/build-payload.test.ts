import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptedBodyLength } from '../../protocol/webpush/ece.ts';
import { buildWebPushPayload, webPushPlaintext } from './build-payload.ts';
import { webPushChannel } from './channel.ts';

test('the plaintext is built once per content object and id, and the size check measures those bytes', () => {
  const content = { title: 'Café ☕', body: 'x' };
  const sized = webPushChannel.payloadBytes('ntf_1', content);
  const bytes = webPushPlaintext('ntf_1', content);
  assert.equal(sized, encryptedBodyLength(bytes.byteLength), 'the size check read the same bytes');
  assert.equal(webPushPlaintext('ntf_1', content), bytes, 'the sender gets the bytes the size check built');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), buildWebPushPayload('ntf_1', content));
  const other = webPushPlaintext('ntf_2', content);
  assert.notEqual(other, bytes, 'another notification id is another payload');
  assert.equal(JSON.parse(new TextDecoder().decode(other)).notification.data.id, 'ntf_2');
  assert.equal(webPushPlaintext('ntf_1', { ...content }).byteLength, bytes.byteLength, 'an equal content object of its own builds its own, alike');
});
