/**
 * One Carillon process for a bench run: the runtime of src/runtime.ts on a seeded store,
 * listening on a free loopback port, with its delivery workers started unless its role is
 * `api`, exactly as `carillon serve` runs it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import type { Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';
import { BenchClock, promoteDelayed, queueIdle } from '../lib/bench-clock.ts';
import { benchConfig, type BenchStore } from '../lib/carillon-config.ts';
import { childArgs, main, onMessage, peakRssKb, send } from '../lib/ipc.ts';
import { threadCpuMs } from '../lib/thread-cpu.ts';

export interface ServerArgs {
  store: BenchStore;
  overrides?: Partial<Config>;
  /** PEM file of the APNs/FCM simulators' CA (RuntimeOptions.providerCa). */
  providerCaFile?: string;
  /** Runs on a BenchClock the harness moves forward (`idle`, `advance`, `promote` messages). */
  clock?: boolean;
}

main(async () => {
  const args = childArgs<ServerArgs>();
  const config = benchConfig(args.store, args.overrides);
  const clock = args.clock ? new BenchClock() : undefined;
  const runtime = await createRuntime(config, {
    ...(clock ? { now: clock.now } : {}),
    logger: pino({ level: config.logLevel }, pino.destination(2)),
    ...(args.providerCaFile ? { providerCa: readFileSync(args.providerCaFile, 'utf8') } : {}),
    ...(args.store.queuePrefix ? { queuePrefix: args.store.queuePrefix } : {}),
  });
  await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  if (config.role !== 'api') runtime.startWorkers();
  const address = runtime.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // Monotonic µs (the clock of V8 CPU profiles), so a profile can be cut to the measured
  // window, and the process's CPU time (every thread) and the main thread's at each mark.
  const marks: Record<string, number> = {};
  const cpuMarks: Record<string, number> = {};
  const mainCpuMarks: Record<string, number> = {};
  // Where the memory is at each mark: the main thread's heap, what it holds outside it (Buffers), and the RSS of every thread.
  const memoryMarks: Record<string, NodeJS.MemoryUsage> = {};
  onMessage(async (message) => {
    if (message.type === 'mark') {
      const name = String(message.name);
      marks[name] = Number(process.hrtime.bigint() / 1000n);
      const cpu = process.cpuUsage();
      cpuMarks[name] = (cpu.user + cpu.system) / 1000;
      mainCpuMarks[name] = threadCpuMs();
      memoryMarks[name] = process.memoryUsage();
    } else if (clock && message.type === 'idle') {
      await queueIdle(runtime.ctx.queue);
      send({ type: 'idle' });
    } else if (clock && message.type === 'advance') {
      clock.advance(Number(message.ms));
      send({ type: 'advanced', offset: clock.offset });
    } else if (clock && message.type === 'promote') {
      const promoted = config.redisUrl ? await promoteDelayed(config.redisUrl, args.store.queuePrefix ?? config.queuePrefix) : 0;
      send({ type: 'promoted', promoted });
    } else if (message.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      send({ type: 'memory', ...process.memoryUsage() });
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage();
      await runtime.close();
      if (process.env.BENCH_MARKS_FILE) writeFileSync(process.env.BENCH_MARKS_FILE, JSON.stringify(marks));
      await send({ type: 'stopped', maxRssKb: peakRssKb(), cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, cpuMarks, mainCpuMarks, memoryMarks });
      process.exit(0);
    }
  });
  send({ type: 'ready', port });
});
