/** An index is built once per knowledge base version, and a new version replaces the old. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex, IndexCache, match, type KnowledgeBase } from '../../../src/conversations/assistant/index.ts';
import { DELIVERY_KB } from './delivery-knowledge-base.ts';

test('one build per app and version; a new version builds again and is the one answered from', () => {
  let builds = 0;
  const cache = new IndexCache({ build: (kb) => (builds++, buildIndex(kb)) });
  let loads = 0;
  const load = (kb: KnowledgeBase) => () => (loads++, kb);
  const first = cache.get('app-1', 'v1', load(DELIVERY_KB));
  assert.equal(cache.get('app-1', 'v1', load(DELIVERY_KB)), first);
  assert.equal(cache.get('app-1', 'v1', load(DELIVERY_KB)), first);
  assert.deepEqual([builds, loads], [1, 1]);

  const v2: KnowledgeBase = { pairs: [{ id: 'gift', language: 'en', questions: ['Do you sell gift cards?'], answer: 'Yes, from €10.' }] };
  const second = cache.get('app-1', 'v2', load(v2));
  assert.deepEqual([builds, loads], [2, 2]);
  assert.equal(match(second, 'gift card please').kind, 'answer');
  assert.equal(match(second, 'where is my parcel').kind, 'handoff');
  assert.equal(cache.size, 1);
});

test('bounded: the least recently used app goes first', () => {
  let builds = 0;
  const cache = new IndexCache({ maxApps: 2, build: (kb) => (builds++, buildIndex(kb)) });
  const kb = () => DELIVERY_KB;
  cache.get('a', '1', kb);
  cache.get('b', '1', kb);
  cache.get('a', '1', kb); // a used last
  cache.get('c', '1', kb); // b goes
  assert.equal(builds, 3);
  cache.get('a', '1', kb);
  assert.equal(builds, 3);
  cache.get('b', '1', kb);
  assert.equal(builds, 4);
  assert.equal(cache.size, 2);
});

test('1,000 pairs with three phrasings each index and answer (time shown, not asserted)', (t) => {
  const topics = ['parcel', 'delivery', 'refund', 'invoice', 'warranty', 'appointment', 'address', 'payment', 'return', 'voucher'];
  const kb: KnowledgeBase = {
    pairs: Array.from({ length: 1_000 }, (_, i) => ({
      id: `p${i}`,
      language: i % 2 ? 'fr' : 'en',
      questions: [`question ${i} about ${topics[i % 10]} number w${i}`, `how do I ${topics[(i + 3) % 10]} item k${i}`, `${topics[(i + 7) % 10]} policy z${i}`],
      answer: `answer ${i}`,
    })),
  };
  // CPU time beside wall time: on a shared machine the wall clock mostly measures the queue for a core.
  const ms = (cpu: NodeJS.CpuUsage): string => ((cpu.user + cpu.system) / 1000).toFixed(1);
  const [wall0, cpu0] = [performance.now(), process.cpuUsage()];
  const index = buildIndex(kb);
  const [builtWall, builtCpu] = [performance.now() - wall0, process.cpuUsage(cpu0)];
  const [wall1, cpu1] = [performance.now(), process.cpuUsage()];
  const reply = match(index, 'question about parcel number w420', { language: 'en' });
  const [matchWall, matchCpu] = [performance.now() - wall1, process.cpuUsage(cpu1)];
  t.diagnostic(`index of 1,000 pairs built in ${builtWall.toFixed(1)} ms (${ms(builtCpu)} ms CPU); one message matched in ${matchWall.toFixed(2)} ms (${ms(matchCpu)} ms CPU)`);
  assert.equal(reply.kind === 'answer' && reply.matched.source === 'pair' && reply.matched.pairId, 'p420');
  assert.equal(index.en.docs.length + index.fr.docs.length, 1_000);
});
