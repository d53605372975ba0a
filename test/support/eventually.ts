/**
 * Retries `check` until it stops throwing, then returns its value; after `timeoutMs` the
 * last failure is thrown. For what browsers, workers and other processes do on their own time.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
