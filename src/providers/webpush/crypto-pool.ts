import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { EncryptResult, EncryptTask } from './crypto-worker.ts';

interface Pending {
  resolve: (bodies: (Uint8Array | string)[]) => void;
  reject: (err: Error) => void;
  urgent: boolean;
}

/** A thread and its tasks not yet answered; `ordinary` counts those of them that are not urgent. */
type Slot = { worker: Worker; pending: Map<number, Pending>; ordinary: number };

/**
 * RFC 8291 encryption on worker threads, one per core: an ECDH per recipient is the
 * ceiling of a Web Push fan-out, and the main thread must stay free for I/O.
 *
 * `urgentThreads` more threads take only urgent tasks (a civic alert): a thread works its
 * tasks in order, so an urgent task posted to a shared thread would wait for every
 * broadcast chunk queued before it. On a busy machine the operating system shares the
 * cores among all the threads, so the urgent one starts at once rather than last. A
 * shared thread with no broadcast work queued takes urgent tasks too (#urgentSlot): an
 * alert sent alone is not held to one thread while the others sit idle.
 */
export class CryptoPool {
  readonly #workers: Slot[] = [];
  readonly #urgent: Slot[] = [];
  #next = 0;
  #nextUrgent = 0;
  #taskId = 0;
  #closed = false;
  /** Threads to start at the first task: an idle server holds none (a thread is some megabytes). */
  #unstarted: { threads: number; urgentThreads: number } | undefined;

  constructor(threads: number, urgentThreads = 0) {
    this.#unstarted = { threads, urgentThreads };
  }

  /** Encrypts `plaintext` for each recipient; a string in the answer is why one could not be. */
  encrypt(plaintext: Uint8Array, recipients: { p256dh: string; auth: string }[]): Promise<(Uint8Array | string)[]> {
    return this.encryptEach(
      [plaintext],
      recipients.map((r) => ({ p256dh: r.p256dh, auth: r.auth, plaintext: 0 })),
    );
  }

  /**
   * Encrypts for each recipient its own payload, `plaintexts[recipient.plaintext]`, in one
   * task: personal messages keep the task size (and so the thread hand-off cost per
   * recipient) of a plain broadcast, and a payload shared by many travels once.
   */
  encryptEach(plaintexts: Uint8Array[], recipients: { p256dh: string; auth: string; plaintext: number }[], opts: { urgent?: boolean } = {}): Promise<(Uint8Array | string)[]> {
    if (this.#closed) return Promise.reject(new Error('crypto pool is closed'));
    if (this.#unstarted) this.#start(this.#unstarted);
    const slot = opts.urgent && this.#urgent.length > 0 ? this.#urgentSlot() : this.#workers[this.#next++ % this.#workers.length]!;
    const id = ++this.#taskId;
    return new Promise((resolve, reject) => {
      const urgent = opts.urgent === true;
      slot.pending.set(id, { resolve, reject, urgent });
      if (!urgent) slot.ordinary++;
      slot.worker.postMessage({ id, plaintexts, recipients } satisfies EncryptTask);
    });
  }

  /**
   * Splits a batch across the threads so they all work on it at once.
   * @example const bodies = await pool.encryptAll(payload, subscriptions);
   */
  async encryptAll(plaintext: Uint8Array, recipients: { p256dh: string; auth: string }[]): Promise<(Uint8Array | string)[]> {
    if (this.#unstarted) this.#start(this.#unstarted);
    const per = Math.max(16, Math.ceil(recipients.length / this.#workers.length));
    const chunks: Promise<(Uint8Array | string)[]>[] = [];
    for (let i = 0; i < recipients.length; i += per) chunks.push(this.encrypt(plaintext, recipients.slice(i, i + per)));
    return (await Promise.all(chunks)).flat();
  }

  /**
   * Where an urgent task goes: of the urgent threads and the shared threads that hold no
   * ordinary task (no broadcast is using them), the one with the fewest tasks, an urgent
   * thread on a tie. An alert alone is spread over every thread; beside a broadcast, it
   * keeps to the urgent threads and never queues behind the broadcast's chunks.
   */
  #urgentSlot(): Slot {
    let best = this.#urgent[this.#nextUrgent++ % this.#urgent.length]!;
    for (const s of this.#urgent) if (s.pending.size < best.pending.size) best = s;
    for (const s of this.#workers) if (s.ordinary === 0 && s.pending.size < best.pending.size) best = s;
    return best;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#workers, ...this.#urgent].map((w) => w.worker.terminate()));
  }

  /** Every thread at once, urgent ones too: an urgent task may go to an idle shared thread (#urgentSlot). */
  #start({ threads, urgentThreads }: { threads: number; urgentThreads: number }): void {
    this.#unstarted = undefined;
    for (let i = 0; i < threads; i++) this.#spawn(this.#workers);
    for (let i = 0; i < urgentThreads; i++) this.#spawn(this.#urgent);
  }

  #spawn(list: Slot[]): void {
    const [script, options] = workerScript();
    const worker = new Worker(script, { ...options, resourceLimits: THREAD_HEAP });
    const slot: Slot = { worker, pending: new Map<number, Pending>(), ordinary: 0 };
    worker.on('message', (msg: EncryptResult) => {
      const p = slot.pending.get(msg.id);
      slot.pending.delete(msg.id);
      if (p && !p.urgent) slot.ordinary--;
      p?.resolve(msg.bodies);
    });
    worker.on('error', (err) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      slot.ordinary = 0;
    });
    worker.on('exit', () => {
      for (const p of slot.pending.values()) p.reject(new Error('crypto worker exited'));
      slot.pending.clear();
      slot.ordinary = 0;
      const i = list.indexOf(slot);
      if (i >= 0) list.splice(i, 1);
      if (!this.#closed) this.#spawn(list);
    });
    worker.unref();
    list.push(slot);
  }
}

/**
 * A thread's heap, sized to what it holds: its code (a few MB) and one task at a time (a
 * sender's chunk of 50 recipients' keys in, their bodies out as transferred ArrayBuffers,
 * outside the heap).
 * Left to V8, each thread's young generation grows as the main thread's does, to tens of
 * megabytes per thread under a fan-out; 8 MB costs no measurable throughput. The old
 * generation's bound is far above a thread's few live megabytes: a thread past it is
 * ended (its tasks fail and are retried) and replaced, rather than grow without end.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };

/**
 * What a crypto thread runs: compiled (dist/, scripts/build-server.ts), the worker's own
 * JavaScript beside this file; from the sources, an entry that registers tsx first, as a
 * thread does not inherit the main thread's loader.
 */
function workerScript(): [URL, WorkerOptions] {
  // A thread does not inherit source maps turned on at run time (bin/carillon.js does), so
  // it is given the flag: its stack traces name lines of src/ as the main thread's do.
  // Alone, as the process's own flags (`node --max-old-space-size=… bin/carillon.js`) are
  // refused in a thread's execArgv; a flag given on the command line is inherited anyway.
  const sourceMaps = process.sourceMapsEnabled && !process.execArgv.includes('--enable-source-maps');
  if (import.meta.url.endsWith('.js')) return [new URL('./crypto-worker.js', import.meta.url), sourceMaps ? { execArgv: ['--enable-source-maps'] } : {}];
  return [new URL('./crypto-worker-entry.mjs', import.meta.url), { workerData: { module: new URL('./crypto-worker.ts', import.meta.url).href } }];
}
