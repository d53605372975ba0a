import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobHandlers, type JobKind } from './job-kind.ts';

const kind = (name: string, ran: string[]): JobKind => ({ name, handler: async (job) => void ran.push(`${name}:${job.id}`) });

test('each kind handles the jobs of its name', async () => {
  const ran: string[] = [];
  const handlers = jobHandlers([kind('fanout', ran), kind('deliver', ran)]);
  assert.deepEqual(Object.keys(handlers), ['fanout', 'deliver']);
  await handlers.deliver!({ id: '7', name: 'deliver', data: {}, attempts: 1, priority: 0 });
  assert.deepEqual(ran, ['deliver:7']);
});

test('two kinds with one name are refused', () => {
  assert.throws(() => jobHandlers([kind('deliver', []), kind('deliver', [])]), /two job kinds are named deliver/);
});
