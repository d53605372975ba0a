/** The child's side of bench/lib/child.ts. */
import type { Message } from './child.ts';

/** The JSON argument the harness passed. */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** Sends to the harness; await it before exiting, or the message may be lost. */
export function send(message: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * Calls `handler` for each message from the harness; a failure is reported to the
 * harness (which then fails the section) and ends the process.
 */
export function onMessage(handler: (message: Message) => Promise<void> | void): void {
  process.on('message', (raw) => {
    Promise.resolve()
      .then(() => handler(raw as Message))
      .catch((err: unknown) => fatal(err));
  });
  // The harness going away ends the child.
  process.on('disconnect', () => process.exit(0));
}

/** Reports an error to the harness and exits. */
export function fatal(err: unknown): never {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  void send({ type: 'error', message });
  process.stderr.write(`${message}\n`);
  setTimeout(() => process.exit(1), 100).unref();
  throw err instanceof Error ? err : new Error(message);
}

/** Runs the child's main function, reporting a failure to the harness. */
export function main(fn: () => Promise<void>): void {
  // Keeps the process up while `fn` waits on unref'd handles (the crypto pool's threads).
  const alive = setInterval(() => {}, 60_000);
  fn().then(() => clearInterval(alive), (err: unknown) => {
    try {
      fatal(err);
    } catch {
      // already reported
    }
  });
}

/** kB of peak resident memory of this process (Linux reports maxRSS in kilobytes). */
export function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
