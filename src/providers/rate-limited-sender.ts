import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { bucketSize, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { OutcomeListener, OutgoingMessage, Recipient, Send, Sender } from './channel.ts';
import type { Outcome } from './outcome.ts';

export interface RateLimitedSenderOptions {
  limiter: RateLimiter;
  /** The bucket a recipient's request counts against: its channel's `rateKey`. */
  keyFor(recipient: Recipient, message: OutgoingMessage): string;
  /** Requests a second per key, across all workers; 0 for no limit (pauses still apply). */
  rate: number;
  /**
   * ms a batch may wait for its turn in all. Beyond it the recipients left are handed
   * back to the queue as throttled, so a batch never outlives its job's lease.
   */
  maxWaitMs: number;
  /**
   * Whether a 429 is about the sender as a whole and pauses the key (Web Push, RFC 8030
   * §8.4), or about one device only (APNs TooManyRequests, FCM's device quota).
   */
  pauseOnThrottle: boolean;
}

/**
 * Puts a channel's sender behind shared rate limits. Recipients are grouped by key and
 * sent in takes of at most one second's worth; an answer that asks the whole sender to
 * slow down (a 5xx with Retry-After; a Web Push 429) pauses the key for every worker for
 * as long as it asked.
 */
export class RateLimitedSender implements Sender {
  constructor(
    private readonly inner: Sender,
    private readonly opts: RateLimitedSenderOptions,
  ) {}

  async send(sends: readonly Send[], settled?: OutcomeListener): Promise<Outcome[]> {
    const outcomes = new Array<Outcome>(sends.length);
    const groups = new Map<string, number[]>();
    sends.forEach((s, i) => {
      const key = this.opts.keyFor(s.recipient, s.message);
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    await Promise.all([...groups].map(([key, indexes]) => this.#sendGroup(key, indexes, sends, outcomes, settled)));
    return outcomes;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #sendGroup(key: string, indexes: number[], sends: readonly Send[], outcomes: Outcome[], settled?: OutcomeListener): Promise<void> {
    const { rate } = this.opts;
    // Without a rate, one take checks for a pause and the whole group goes at once.
    const step = rate > 0 ? bucketSize(rate) : indexes.length;
    // Real time, whatever clock the pipeline is given: rates are about real seconds.
    const started = performance.now();
    const sending: Promise<void>[] = [];
    for (let i = 0; i < indexes.length; i += step) {
      const part = indexes.slice(i, i + step);
      const held = await this.#turn(key, part.length, started);
      if (held) {
        for (const j of indexes.slice(i)) outcomes[j] = held;
        break;
      }
      sending.push(
        this.inner
          .send(
            part.map((j) => sends[j]!),
            settled && ((k, o) => settled(part[k]!, o)),
          )
          .then(
            async (answers) => {
              answers.forEach((o, k) => (outcomes[part[k]!] = o));
              const pause = slowDown(answers, this.opts.pauseOnThrottle);
              // Best effort: without the shared pause, each recipient still waits its own Retry-After.
              if (pause > 0) await this.opts.limiter.pause(key, pause).catch(() => undefined);
            },
            // A part that failed whole is retried on its own; the parts sent stay sent, and
            // the loop, still waiting for its next turn, is not left with a rejection nobody handles.
            (err: unknown) => {
              for (const j of part) outcomes[j] = { kind: 'retry', reason: `sender error: ${(err as Error)?.message ?? String(err)}` };
            },
          ),
      );
    }
    await Promise.all(sending);
  }

  /** Waits for `n` tokens of `key`; the outcome for the recipients left when they cannot be had in time. */
  async #turn(key: string, n: number, started: number): Promise<Outcome | null> {
    const { limiter, rate, maxWaitMs } = this.opts;
    for (;;) {
      let wait: number;
      try {
        wait = await limiter.take(key, n, rate);
      } catch (err) {
        return { kind: 'retry', reason: `rate limiter unavailable: ${(err as Error)?.message ?? String(err)}` };
      }
      if (wait === 0) return null;
      if (performance.now() - started + wait > maxWaitMs) return { kind: 'retry', reason: `held back by the rate limit of ${key}`, afterMs: wait, deferred: true };
      await sleep(wait);
    }
  }
}

/** ms a 429 without Retry-After holds its key. */
const THROTTLE_PAUSE_MS = 1_000;

/** The longest delay the push service asked of the whole sender, or 0. */
function slowDown(outcomes: Outcome[], pauseOnThrottle: boolean): number {
  let ms = 0;
  for (const o of outcomes) {
    if (o.kind === 'throttled' && pauseOnThrottle) ms = Math.max(ms, o.afterMs ?? THROTTLE_PAUSE_MS);
    else if (o.kind === 'retry' && o.afterMs !== undefined) ms = Math.max(ms, o.afterMs);
  }
  return ms;
}
