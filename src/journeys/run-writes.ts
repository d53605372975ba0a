import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import { prepared } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import { addStepCounts, type StepCount } from './step-counts.ts';

export const JOURNEY_STEP_JOB = 'journey-step';

/** The timer of a run's position: keyed by run and token, so it is queued once and a stale one does nothing. */
export function stepJobSpec(runId: number, token: number, runAt: number, suffix = ''): JobSpec {
  return { name: JOURNEY_STEP_JOB, data: { runId, token }, key: `journey-step:${runId}:${token}${suffix}`, runAt };
}

/** A move of a run worked out, not yet written: the run after it, its counts, the timer of a timed step, and what else commits with it. */
export interface PlannedMove {
  next: JourneyRun;
  counts: StepCount[];
  /** When the timer of the step it reaches (or holds) fires; its job is keyed by the run's id and the move's token. */
  timerAt?: number;
  alsoInTx?: (tx: Transaction<Database>) => Promise<void>;
}

/** Moves of one run worked out one after the other from `from`, to be written together. */
export interface RunWrite {
  from: JourneyRun;
  moves: PlannedMove[];
}

/** The run's new position, if it is still where the move was worked out from (same token and version, active). */
const moveRun = prepared((db, $: Omit<JourneyRun, 'app_id' | 'journey_id' | 'user_seq' | 'external_id' | 'trigger' | 'trigger_key' | 'started_at' | 'version'> & { fromToken: number; fromVersion: number }) =>
  db
    .updateTable('journey_runs')
    .set({
      state: $.state,
      step: $.step,
      due_at: $.due_at,
      waiting_for: $.waiting_for,
      ended_at: $.ended_at,
      end_reason: $.end_reason,
      sends: $.sends,
      attempts: $.attempts,
      token: $.token,
      timeline: $.timeline,
      updated_at: $.updated_at,
    })
    .where('id', '=', $.id)
    .where('token', '=', $.fromToken)
    // A migration keeps the token and changes the version (migrate-runs.ts): a move computed on the old one is not written.
    .where('version', '=', $.fromVersion)
    .where('state', '=', 'active'),
);

/**
 * Commits the moves of several runs in one transaction: for each run still where its
 * moves were worked out from, its position, due time and timeline after the last move,
 * every move's `alsoInTx` (an attribute update, a send's notification) and counts, and the
 * timer of the last (only the last can be timed: a run waits there). For each write, the
 * run as written, or null when it had moved meanwhile (another worker, an exit): nothing of
 * it is written. One that throws (its `alsoInTx`) rolls all of them back.
 */
export async function writeRuns(ctx: Context, writes: readonly RunWrite[]): Promise<(JourneyRun | null)[]> {
  const written: (JourneyRun | null)[] = writes.map(() => null);
  // In the order of their users, then runs: two groups on PostgreSQL lock the rows they share in one order.
  const order = writes.map((_, i) => i).sort((a, b) => writes[a]!.from.user_seq - writes[b]!.from.user_seq || writes[a]!.from.id - writes[b]!.from.id);
  await ctx.store.db.transaction().execute(async (tx) => {
    written.fill(null);
    const counts = new Map<string, { journeyId: string; version: number; items: { runId: number; count: StepCount }[] }>();
    const timers: JobSpec[] = [];
    for (const i of order) {
      const { from, moves } = writes[i]!;
      const last = moves.at(-1)!.next;
      const moved = await moveRun.affected(tx, { ...last, fromToken: from.token, fromVersion: from.version });
      if (moved !== 1) continue;
      // The user's row (an update step) before the step counts, as startRun takes them (users,
      // then counts): on PostgreSQL the two orders would deadlock (journey-lock-order.test.ts).
      for (const m of moves) await m.alsoInTx?.(tx);
      const key = `${from.journey_id}\n${from.version}`;
      const c = counts.get(key) ?? { journeyId: from.journey_id, version: from.version, items: [] };
      for (const m of moves) for (const count of m.counts) c.items.push({ runId: from.id, count });
      counts.set(key, c);
      const { timerAt } = moves.at(-1)!;
      if (timerAt !== undefined) timers.push(stepJobSpec(from.id, last.token, timerAt));
      written[i] = last;
    }
    for (const c of counts.values()) await addStepCounts(tx, c.journeyId, c.version, c.items);
    if (timers.length > 0) await ctx.queue.add(timers, tx);
  });
  return written;
}

/**
 * The writes of runs moved side by side (a batch of timers), committed as a group: a run's
 * write waits until every run of the batch still going is either done or waiting on a
 * write of its own, and then all those are written in one transaction (writeRuns). A run
 * waits for its write as it would for its own commit, so what it does next (a webhook
 * call, a read of the user) comes after its moves are committed.
 */
export class GroupCommit {
  readonly #ctx: Context;
  #going: number;
  #waiting: { write: RunWrite; resolve: (run: JourneyRun | null) => void; reject: (err: unknown) => void }[] = [];
  #writing = false;

  /** `runs`: how many runs the batch moves; each calls done() once it is finished. */
  constructor(ctx: Context, runs: number) {
    this.#ctx = ctx;
    this.#going = runs;
  }

  write(write: RunWrite): Promise<JourneyRun | null> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ write, resolve, reject });
      this.#writeIfAllWait();
    });
  }

  done(): void {
    this.#going--;
    this.#writeIfAllWait();
  }

  #writeIfAllWait(): void {
    if (this.#writing || this.#waiting.length === 0 || this.#waiting.length < this.#going) return;
    const group = this.#waiting.splice(0);
    this.#writing = true;
    writeRuns(
      this.#ctx,
      group.map((g) => g.write),
    )
      .then(
        (runs) => group.forEach((g, i) => g.resolve(runs[i]!)),
        (err: unknown) => group.forEach((g) => g.reject(err)),
      )
      .finally(() => {
        this.#writing = false;
        this.#writeIfAllWait();
      });
  }
}
