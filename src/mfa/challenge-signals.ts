import type { Context } from '../context.ts';

/**
 * Wakes the long polls of this process when a challenge changes: the code that closes one
 * calls `changed(id)` once its transaction has committed, so the poll's re-read sees the
 * new state. A change made by another process is seen by the poll's re-check
 * (`mfaWaitRecheck`).
 */
export class ChallengeSignals {
  #waiting = new Map<string, Set<() => void>>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves on a change of `id`, after `ms`, on `abort`, or when the server closes; never rejects. */
  wait(id: string, ms: number, abort?: AbortSignal): Promise<void> {
    if (this.#closed || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.#waiting.get(id) ?? new Set();
      this.#waiting.set(id, set);
      const done = () => {
        clearTimeout(timer);
        abort?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiting.get(id) === set) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  changed(id: string): void {
    for (const wake of [...(this.#waiting.get(id) ?? [])]) wake();
  }

  /** Ends every wait (the server is closing): each poll answers with the state it has. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiting.values()]) for (const wake of [...set]) wake();
  }
}

const SIGNALS = new WeakMap<object, ChallengeSignals>();

/** This process's signals for the store of `ctx`. */
export function challengeSignals(ctx: Context): ChallengeSignals {
  let s = SIGNALS.get(ctx.store);
  if (!s) SIGNALS.set(ctx.store, (s = new ChallengeSignals()));
  return s;
}
