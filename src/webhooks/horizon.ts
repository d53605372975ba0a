import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Seqs looked at per pass. */
const SCAN = 10_000;

/**
 * ms a missing seq is waited for before it is taken for a rolled-back append. Longer than
 * any transaction that appends activity should stay open (a delivery batch's commit), so
 * a slow writer's row is waited for, not skipped.
 */
export const GAP_WAIT_MS = 30_000;

/**
 * How far the activity log can be read without missing a row: on PostgreSQL a seq is
 * drawn when the row is inserted, not when it commits, so seq 11 can be visible while
 * seq 10's transaction is still open. A reader that moved its cursor past 11 would never
 * see 10. The horizon stops below the first missing seq until that seq appears, or until
 * it has been missing for GAP_WAIT_MS (a rolled-back append leaves a hole for good).
 *
 * SQLite has one writer and draws seqs inside it, so there commit order is seq order and
 * the horizon is the end of the log.
 */
export class ActivityHorizon {
  readonly #db: Kysely<Database>;
  readonly #gapless: boolean;
  readonly #now: () => number;
  #horizon: number | undefined;
  /** The first missing seq of each hole seen past the horizon, and since when it has been missing. */
  readonly #holes = new Map<number, number>();

  constructor(db: Kysely<Database>, opts: { seqsCommitInOrder: boolean; now: () => number }) {
    this.#db = db;
    this.#gapless = opts.seqsCommitInOrder;
    this.#now = opts.now;
  }

  /**
   * The highest seq below which every row that will ever commit has committed (or been
   * waited for long enough). `from` is where the first call starts: the oldest cursor of
   * the enabled endpoints, below which everything has been read already.
   */
  async advance(from: number, last: number): Promise<number> {
    if (this.#gapless) return last;
    let h = this.#horizon ?? from;
    const now = this.#now();
    for (;;) {
      const rows = await this.#db.selectFrom('activity').select('seq').where('seq', '>', h).orderBy('seq').limit(SCAN).execute();
      let blocked = false;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq > h + 1) {
          // Every hole is timed from when it was first seen, so holes one after another are waited for side by side, not in turn.
          const since = this.#holes.get(h + 1) ?? now;
          this.#holes.set(h + 1, since);
          if (now - since < GAP_WAIT_MS) {
            blocked = true;
            // Go on timing the holes further on, without moving past this one.
            let prev = seq;
            for (const later of rows.slice(rows.indexOf(row) + 1)) {
              const s = Number(later.seq);
              if (s > prev + 1 && !this.#holes.has(prev + 1)) this.#holes.set(prev + 1, now);
              prev = s;
            }
            break;
          }
        }
        h = seq;
      }
      if (blocked || rows.length < SCAN) break;
    }
    for (const start of this.#holes.keys()) if (start <= h) this.#holes.delete(start);
    this.#horizon = h;
    return h;
  }
}
