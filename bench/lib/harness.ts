/**
 * What the sections share: the flags, the loopback certificate, the sink process (one
 * at a time, always on the same port so that seeded endpoints stay valid whatever its
 * mode), seeded store templates (seeded once, copied for each run so every contender
 * starts from the same rows), and the Carillon server processes.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/services/free-port.ts';
import { defaults, type Config } from '../../src/config/defaults.ts';
import type { SeedArgs, SeedResult } from './seed.ts';
import type { SinkMode } from '../sink.ts';
import type { BenchStore } from './carillon-config.ts';
import { startChild, type Child } from './child.ts';
import { compiledServerChild } from './compiled-server.ts';
import type { Flags } from './flags.ts';
import { callApi } from './http.ts';
import { wallNow } from './ipc.ts';
import { makeLoopbackCert, type BenchCert } from './tls.ts';

/** Single-send targets in every template under --quick (section 3 needs some). */
export const QUICK_PROBES = 20;

/**
 * What every Carillon process of a --quick run starts with: one crypto thread and no
 * urgent one (the sections that time urgent pushes keep the defaults). Each thread loads
 * the TypeScript loader and the crypto modules on its own, about half a second of CPU per
 * thread at every start, and a --quick run starts some twenty servers whose figures are
 * not worth quoting anyway.
 */
export const QUICK_SERVER: Partial<Config> = { cryptoThreads: 1, urgentCryptoThreads: 0 };

/**
 * The crypto threads of the defaults, for the sections that time urgent pushes beside a
 * broadcast (under --quick too): how the two share the threads is what they measure.
 */
export const URGENT_THREADS: Partial<Config> = { cryptoThreads: defaults.cryptoThreads, urgentCryptoThreads: defaults.urgentCryptoThreads };

export interface Template {
  dir: string;
  seeded: SeedResult;
}

export interface ServerReport {
  type: string;
  maxRssKb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** ms of CPU (all threads) at each mark sent to the server. */
  cpuMarks: Record<string, number>;
  /** ms of CPU of the main thread alone at each mark (NaN where /proc is not there). */
  mainCpuMarks: Record<string, number>;
  /** process.memoryUsage() at each mark. */
  memoryMarks: Record<string, NodeJS.MemoryUsage>;
}

export interface Server {
  child: Child;
  base: string;
  dataDir: string;
}

export class Harness {
  readonly flags: Flags;
  readonly cert: BenchCert;
  readonly tmp: string;
  readonly sinkPort: number;
  readonly adminKey = `crl_ak_bench_${randomBytes(12).toString('hex')}`;
  readonly masterKey = randomBytes(32).toString('base64');
  #sink: { mode: SinkMode; child: Child } | undefined;
  readonly #templates = new Map<string, Template>();
  readonly #children = new Set<Child>();
  #saidHow = false;

  private constructor(flags: Flags, cert: BenchCert, tmp: string, sinkPort: number) {
    this.flags = flags;
    this.cert = cert;
    this.tmp = tmp;
    this.sinkPort = sinkPort;
  }

  static async create(flags: Flags): Promise<Harness> {
    const tmp = mkdtempSync(join(tmpdir(), 'carillon-bench-'));
    return new Harness(flags, makeLoopbackCert(), tmp, await freePort());
  }

  get endpointBase(): string {
    return `https://127.0.0.1:${this.sinkPort}/push`;
  }

  /** Progress goes to stderr; stdout carries only the table. */
  log(message: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }

  /** A child that is killed when the run ends, whatever happens. */
  child(script: string, args: unknown, options: Parameters<typeof startChild>[2] = {}): Child {
    const child = startChild(script, args, options);
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
    return child;
  }

  /** The sink in this mode, (re)started on the run's port when the mode changes. */
  async sink(mode: SinkMode): Promise<Child> {
    if (this.#sink?.mode === mode) return this.#sink.child;
    await this.stopSink();
    const child = this.child('sink.ts', { mode, port: this.sinkPort, certFile: this.cert.certFile, keyFile: this.cert.keyFile }, { name: `sink (${mode})` });
    await child.next('ready', 60_000);
    this.#sink = { mode, child };
    return child;
  }

  async stopSink(): Promise<void> {
    const sink = this.#sink;
    this.#sink = undefined;
    if (sink) await sink.child.stop(10_000).catch(() => sink.child.kill());
  }

  /** Has the sink count `count` pushes from now on; resolves once it is listening for them. */
  async expect(sink: Child, count: number, id: string): Promise<void> {
    sink.send({ type: 'expect', count, id });
    await sink.next('expecting', 10_000);
  }

  store(dataDir: string, extra: Partial<BenchStore> = {}): BenchStore {
    return { dataDir, adminKey: this.adminKey, masterKey: this.masterKey, ...extra };
  }

  /** Seeds a store (loading the server's modules into the harness the first time). */
  async seed(args: Omit<SeedArgs, 'store'> & { store?: BenchStore }, dataDir?: string): Promise<{ store: BenchStore; seeded: SeedResult }> {
    const store = args.store ?? this.store(dataDir ?? mkdtempSync(join(this.tmp, 'seed-')));
    const { seedStore } = await import('./seed.ts');
    return { store, seeded: await seedStore({ ...args, store }) };
  }

  /** A SQLite store with `n` Web Push subscriptions (and `probes` single-send targets), seeded once per shape. */
  async template(n: number, probes = 0): Promise<Template> {
    // --quick: one store for every section, to keep the run short.
    if (this.flags.quick) probes = QUICK_PROBES;
    const key = `${n}:${probes}`;
    const cached = this.#templates.get(key);
    if (cached) return cached;
    const dir = mkdtempSync(join(this.tmp, `template-${n}-`));
    this.log(`seeding ${n.toLocaleString('en-US')} Web Push subscriptions${probes ? ` and ${probes} single-send targets` : ''}`);
    const { seeded } = await this.seed({ webpush: { n, endpointBase: this.endpointBase, probes } }, dir);
    this.log(`  seeded in ${seeded.seconds.toFixed(1)} s`);
    const template = { dir, seeded };
    this.#templates.set(key, template);
    return template;
  }

  /** A fresh copy of a template's store, for one run. */
  copyTemplate(template: Template): string {
    const dir = mkdtempSync(join(this.tmp, 'run-'));
    for (const file of ['carillon.db', 'carillon.db-wal', 'carillon.db-shm', 'master.key']) {
      const from = join(template.dir, file);
      if (existsSync(from)) copyFileSync(from, join(dir, file));
    }
    return dir;
  }

  dbFile(template: Template): string {
    return join(template.dir, 'carillon.db');
  }

  /** Starts a Carillon process on a store; it trusts the sink's certificate through NODE_EXTRA_CA_CERTS. */
  async startServer(store: BenchStore, opts: { overrides?: Partial<Config>; providerCaFile?: string; execArgv?: string[]; name?: string; env?: NodeJS.ProcessEnv; clock?: boolean } = {}): Promise<Server> {
    const overrides = { ...(this.flags.quick ? QUICK_SERVER : {}), ...opts.overrides };
    const compiled = await compiledServerChild();
    if (!this.#saidHow) {
      this.#saidHow = true;
      this.log(compiled ? "Carillon's servers run compiled (dist/), as carillon serve does" : 'Carillon runs through tsx in this run: dist/ is not a build of the sources as they are now (npm run build)');
    }
    const child = this.child(
      compiled ?? 'children/carillon-server.ts',
      { store, overrides, ...(opts.providerCaFile ? { providerCaFile: opts.providerCaFile } : {}), ...(opts.clock ? { clock: true } : {}) },
      // RuntimeOptions has no CA for Web Push endpoints (only providerCa, for APNs and
      // FCM): Node reads NODE_EXTRA_CA_CERTS when the process starts.
      { env: { NODE_EXTRA_CA_CERTS: this.cert.certFile, ...opts.env }, execArgv: opts.execArgv ?? [], name: opts.name ?? 'carillon' },
    );
    const { port } = await child.next<{ type: string; port: number }>('ready', 120_000);
    return { child, base: `http://127.0.0.1:${port}`, dataDir: store.dataDir };
  }

  /**
   * Sends one notification through a second app and waits for it at the sink: the
   * crypto threads have loaded, a connection to the sink is open, and the queue has
   * run once, as on a server that has been up for a while.
   */
  async warmUp(server: Server, sink: Child, warm: NonNullable<SeedResult['warm']>): Promise<void> {
    await this.expect(sink, warm.size, 'warm-up');
    const res = await callApi(server.base, 'POST', `/v1/apps/${warm.id}/notifications`, warm.secretKey, { to: { all: true }, title: 'warm-up' });
    if (res.status !== 202) throw new Error(`warm-up notification: ${res.status} ${JSON.stringify(res.body)}`);
    await sink.next('done', 60_000);
  }

  /** Polls a notification until it is completed; returns its counts and when it completed. */
  async waitCompleted(server: Server, app: { id: string; secretKey: string }, id: string, timeoutMs: number): Promise<{ counts: Record<string, number>; t: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await callApi(server.base, 'GET', `/v1/apps/${app.id}/notifications/${id}`, app.secretKey);
      if (res.body?.status === 'completed') return { counts: res.body.counts, t: wallNow() };
      if (Date.now() > deadline) throw new Error(`notification ${id} not completed after ${timeoutMs / 1000} s: ${JSON.stringify(res.body?.counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stopServer(server: Server, removeData = true): Promise<ServerReport> {
    const stopped = await server.child.stop<ServerReport>();
    if (removeData) rmSync(server.dataDir, { recursive: true, force: true });
    return stopped;
  }

  profileDir(): string {
    const dir = join(process.cwd(), 'bench', 'results', 'profiles');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async close(): Promise<void> {
    await this.stopSink();
    for (const child of this.#children) child.kill();
    rmSync(this.tmp, { recursive: true, force: true });
    rmSync(this.cert.dir, { recursive: true, force: true });
  }
}
