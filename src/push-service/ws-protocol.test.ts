import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameError,
  canonicalChannelId,
  helloReply,
  notificationFrame,
  parseClientFrame,
  registerReply,
  unregisterReply,
} from './ws-protocol.ts';

test('the frames Firefox sends parse to their typed form', () => {
  assert.deepEqual(parseClientFrame('{}'), { type: 'ping' });
  assert.deepEqual(parseClientFrame('{"messageType":"ping"}'), { type: 'ping' });
  assert.deepEqual(
    parseClientFrame('{"messageType":"hello","broadcasts":{"remote-settings/monitor_changes":"\\"1\\""},"use_webpush":true}'),
    { type: 'hello', uaid: null, broadcasts: { 'remote-settings/monitor_changes': '"1"' } },
  );
  assert.equal((parseClientFrame('{"messageType":"hello","uaid":"abc","use_webpush":true}') as { uaid: string }).uaid, 'abc');
  assert.deepEqual(parseClientFrame('{"channelID":"c","messageType":"register","key":"BAA="}'), { type: 'register', channelID: 'c', key: 'BAA=' });
  assert.deepEqual(parseClientFrame('{"channelID":"c","messageType":"register"}'), { type: 'register', channelID: 'c', key: null });
  assert.deepEqual(parseClientFrame('{"channelID":"c","messageType":"unregister","code":200}'), { type: 'unregister', channelID: 'c', code: 200 });
  assert.deepEqual(parseClientFrame('{"messageType":"ack","updates":[{"channelID":"c","version":"v","code":101}]}'), {
    type: 'ack',
    updates: [{ channelID: 'c', version: 'v', code: 101 }],
  });
  assert.deepEqual(parseClientFrame('{"messageType":"ack","updates":[{"channelID":"c","version":"v"}]}'), {
    type: 'ack',
    updates: [{ channelID: 'c', version: 'v', code: 100 }],
  });
  assert.deepEqual(parseClientFrame('{"messageType":"nack","version":"v","code":301}'), { type: 'nack', version: 'v', code: 301 });
  assert.deepEqual(parseClientFrame('{"messageType":"urgency","min":"high"}'), { type: 'unknown', messageType: 'urgency' });
});

test('malformed frames are refused', () => {
  for (const text of ['not json', '[]', '"hello"', '{"messageType":5}', '{"messageType":"register"}', '{"messageType":"ack"}', '{"messageType":"ack","updates":[{"version":"v"}]}', '{"messageType":"unregister","channelID":"c","code":"x"}']) {
    assert.throws(() => parseClientFrame(text), FrameError, text);
  }
});

test('server frames have the fields Firefox reads', () => {
  assert.deepEqual(JSON.parse(helloReply('u')), { messageType: 'hello', uaid: 'u', status: 200, use_webpush: true, broadcasts: {} });
  assert.deepEqual(JSON.parse(registerReply('c', 200, 'https://p.example/push/t')), { messageType: 'register', channelID: 'c', status: 200, pushEndpoint: 'https://p.example/push/t' });
  assert.deepEqual(JSON.parse(registerReply('c', 500, 'ignored')), { messageType: 'register', channelID: 'c', status: 500 });
  assert.deepEqual(JSON.parse(unregisterReply('c', 200)), { messageType: 'unregister', channelID: 'c', status: 200 });
  assert.deepEqual(JSON.parse(notificationFrame({ channelID: 'c', version: 'v', data: 'AAEC', encoding: 'aes128gcm' })), {
    messageType: 'notification',
    channelID: 'c',
    version: 'v',
    data: 'AAEC',
    headers: { encoding: 'aes128gcm' },
  });
  assert.deepEqual(JSON.parse(notificationFrame({ channelID: 'c', version: 'v', data: null, encoding: null })), { messageType: 'notification', channelID: 'c', version: 'v' });
});

test('channelIDs have one spelling: lower-case dashed UUIDs', () => {
  assert.equal(canonicalChannelId('5F0C7E9A-1B2C-4D3E-8F90-0123456789AB'), '5f0c7e9a-1b2c-4d3e-8f90-0123456789ab');
  assert.equal(canonicalChannelId('5f0c7e9a1b2c4d3e8f900123456789ab'), null);
  assert.equal(canonicalChannelId('{5f0c7e9a-1b2c-4d3e-8f90-0123456789ab}'), null);
});
