import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LANE_QUEUES, bullmqJobId, bullmqPriority, laneJobId, laneOf, portJobId, portPriority } from './bullmq-mapping.ts';
import { PRIORITY } from './queue.ts';

test('urgent maps to a lower BullMQ priority than normal, and never to 0 (which BullMQ serves first)', () => {
  assert.ok(bullmqPriority(PRIORITY.urgent) < bullmqPriority(PRIORITY.normal));
  assert.ok(bullmqPriority(PRIORITY.normal) >= 1);
  for (const p of [-(2 ** 30), -5, 0, 5, 2 ** 30, 1.5]) {
    const b = bullmqPriority(p);
    assert.ok(Number.isInteger(b) && b >= 1 && b <= 2 ** 21, `${p} → ${b}`);
  }
});

test('the priority a handler sees is the one the job was added with', () => {
  for (const p of [PRIORITY.normal, PRIORITY.urgent, -3, 1000]) assert.equal(portPriority(bullmqPriority(p)), p);
  assert.equal(portPriority(undefined), 0);
});

test('job ids avoid what BullMQ refuses and keep distinct keys distinct', () => {
  const keys = ['deliver:42', 'fanout:ntf_1:0', 'fanout:ntf_1%3A0', '42', '%d42', '%2542', '-7', '007', 'a:b:c:d', '%', '%25', ''];
  const ids = keys.map(bullmqJobId);
  assert.equal(new Set(ids).size, keys.length, JSON.stringify(ids));
  for (const id of ids) {
    assert.ok(!id.includes(':'), id);
    assert.notEqual(`${parseInt(id, 10)}`, id);
  }
  assert.equal(bullmqJobId('deliver:42'), 'deliver%3A42');
});

test('jobs of priority PRIORITY.urgent or more take the urgent lane, all others the normal one', () => {
  assert.equal(laneOf(PRIORITY.urgent), 'urgent');
  assert.equal(laneOf(PRIORITY.urgent + 5), 'urgent');
  assert.equal(laneOf(PRIORITY.urgent - 1), 'normal');
  assert.equal(laneOf(PRIORITY.normal), 'normal');
  assert.equal(laneOf(undefined), 'normal');
  assert.notEqual(LANE_QUEUES.urgent, LANE_QUEUES.normal);
});

test('job ids stay distinct across lanes, each BullMQ queue counting its own', () => {
  const ids = ['1', '2', bullmqJobId('deliver:1'), bullmqJobId('urgent:1')];
  const shown = [...ids.map((id) => portJobId('normal', id)), ...ids.map((id) => portJobId('urgent', id))];
  assert.equal(new Set(shown).size, shown.length, JSON.stringify(shown));
  for (const lane of ['normal', 'urgent'] as const) for (const id of ids) assert.deepEqual(laneJobId(portJobId(lane, id)), { lane, id });
});
