/**
 * Stopping the embedded queue while a poll is under way (SQLite and PostgreSQL): stop()
 * returns only once what that poll claimed has run, and the poll claims nothing more after
 * stop() began. Otherwise a job retried or added just after stop() (an operator's
 * retry-all, a graceful shutdown) could be taken by a poll that outlived it.
 *
 * The claim queries are held at a gate (a Kysely plugin on the queue's connection), so the
 * poll is caught mid-way every time rather than by chance.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { EmbeddedQueue } from '../../src/queue/embedded-queue.ts';
import { insertJobRows } from '../../src/queue/job-rows.ts';
import { SETUPS, TEST_SETTINGS, openBackend, type Backend } from './queue-setups.ts';

/**
 * Holds the results of the queue's claims until opened. A claim is the update of `jobs`
 * returning rows (PostgreSQL claims in that one statement) or the read of lapsed leases
 * that opens a claim on SQLite (which looks for candidates first, and updates none when
 * there are none).
 */
class ClaimGate implements KyselyPlugin {
  readonly #claims = new WeakSet<object>();
  #open = Promise.resolve();
  #release = () => {};
  /** Claims whose result reached the gate. */
  held = 0;

  close(): void {
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  open(): void {
    this.#release();
    this.#open = Promise.resolve();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    const opensClaim = node.kind === 'SelectQueryNode' && JSON.stringify(node).includes('"locked_until"');
    if ((node.kind === 'UpdateQueryNode' && node.returning) || opensClaim) this.#claims.add(args.queryId);
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#claims.has(args.queryId)) {
      this.held++;
      await this.#open;
    }
    return args.result;
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function gatedQueue(b: Backend, gate: ClaimGate): EmbeddedQueue {
  return new EmbeddedQueue(b.store.db.withPlugin(gate), b.store.caps, { ...TEST_SETTINGS, pollInterval: 5, now: b.clock.now, logger: pino({ level: 'silent' }) });
}

async function jobStates(b: Backend): Promise<string[]> {
  return (await b.store.db.selectFrom('jobs').select('state').orderBy('id').execute()).map((r) => r.state);
}

for (const setup of SETUPS.filter((s) => s.name.startsWith('embedded'))) {
  describe(`stopping the queue mid-poll: ${setup.name}`, () => {
    test('stop() waits for the job a poll in flight claims, and returns with none left active', async () => {
      const b = await setup.spec().then((spec) => openBackend(spec));
      try {
        const gate = new ClaimGate();
        const q = gatedQueue(b, gate);
        const ran: string[] = [];
        await q.add([{ name: 'work', data: { id: 'w' } }]);
        gate.close();
        q.start({ work: async () => void ran.push('w') }, { concurrency: 1 });
        await until('the poll is claiming', () => gate.held === 1);
        let stopped = false;
        const stopping = q.stop().then(() => (stopped = true));
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(stopped, false, 'stop() returned while a claim was still under way');
        gate.open();
        await stopping;
        assert.deepEqual(ran, ['w'], 'the claimed job ran before stop() returned');
        assert.deepEqual(await jobStates(b), [], 'no job is left active for its lease to run out');
      } finally {
        await b.close();
      }
    });

    test('a poll caught at its urgent claim when stop() begins claims no ordinary job after it', async () => {
      const b = await setup.spec().then((spec) => openBackend(spec));
      try {
        const gate = new ClaimGate();
        const q = gatedQueue(b, gate);
        const ran: string[] = [];
        gate.close();
        q.start({ work: async () => void ran.push('w') }, { concurrency: 1, urgentSlots: 1 });
        await until('the poll is at its urgent claim', () => gate.held === 1);
        const stopping = q.stop();
        // Added (or retried) after stop() began: it must wait for the next start. (On
        // SQLite the insert waits for the held claim's connection, so it is not awaited here.)
        const adding = insertJobRows(b.store.db, [{ name: 'work', data: {} }], b.clock.now());
        gate.open();
        await Promise.all([adding, stopping]);
        // Any claim the poll still made would have reached the gate by now.
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(gate.held, 1, 'no claim after stop() began');
        assert.deepEqual(ran, []);
        assert.deepEqual(await jobStates(b), ['waiting']);
      } finally {
        await b.close();
      }
    });
  });
}
