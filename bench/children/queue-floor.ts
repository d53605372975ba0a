/**
 * The queue's own throughput, the reference of section 13: `n` jobs of a handler that does
 * nothing, through the queue a Carillon process builds from its config (the embedded queue
 * on SQLite, BullMQ on Redis), with the same worker concurrency. The jobs are timers as a
 * journey's are: keyed, added an hour ahead, then made due by moving the process's clock
 * (and promoting BullMQ's delayed jobs); the figure runs from that instant to the last job
 * handled.
 */
import pino from 'pino';
import type { Config } from '../../src/config/defaults.ts';
import type { JobSpec } from '../../src/queue/queue.ts';
import { createRuntime } from '../../src/runtime.ts';
import { BenchClock, promoteDelayed } from '../lib/bench-clock.ts';
import { benchConfig, type BenchStore } from '../lib/carillon-config.ts';
import { childArgs, main, onMessage, peakRssKb, send, wallNow } from '../lib/ipc.ts';

export interface QueueFloorArgs {
  store: BenchStore;
  overrides?: Partial<Config>;
  n: number;
}

const JOB = 'bench-noop';
const DELAY_MS = 3_600_000;
const JOBS_PER_ADD = 1_000;

main(async () => {
  const args = childArgs<QueueFloorArgs>();
  const config = benchConfig(args.store, args.overrides);
  const clock = new BenchClock();
  const runtime = await createRuntime(config, {
    now: clock.now,
    logger: pino({ level: config.logLevel }, pino.destination(2)),
    ...(args.store.queuePrefix ? { queuePrefix: args.store.queuePrefix } : {}),
  });
  const queue = runtime.ctx.queue;
  onMessage(async (message) => {
    if (message.type === 'run') {
      const { n } = args;
      const tf = performance.now();
      const at = clock.now() + DELAY_MS;
      for (let start = 0; start < n; start += JOBS_PER_ADD) {
        const jobs: JobSpec[] = [];
        for (let i = start; i < Math.min(n, start + JOBS_PER_ADD); i++) jobs.push({ name: JOB, data: { i }, key: `${JOB}:${i}`, runAt: at });
        await queue.add(jobs);
      }
      const fillSeconds = (performance.now() - tf) / 1000;
      let handled = 0;
      let done: () => void = () => {};
      const all = new Promise<void>((resolve) => (done = resolve));
      queue.start(
        {
          [JOB]: async () => {
            if (++handled === n) done();
          },
        },
        { concurrency: config.workerConcurrency, urgentSlots: config.urgentWorkerSlots },
      );
      const cpu0 = process.cpuUsage();
      const t0 = wallNow();
      clock.advance(DELAY_MS + 1_000);
      if (config.redisUrl) await promoteDelayed(config.redisUrl, args.store.queuePrefix ?? config.queuePrefix);
      await all;
      const t1 = wallNow();
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'drained', n, handled, fillSeconds, seconds: (t1 - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (message.type === 'stop') {
      await runtime.close();
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
});
