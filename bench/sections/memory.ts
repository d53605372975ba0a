/**
 * Section 15: the resident memory of an idle `carillon serve` (the embedded default: SQLite
 * in a new data folder, default config), run compiled (dist/, bin/carillon.js) and through
 * tsx (bin/from-sources.js), beside a bare Node.js process measured the same way in the same
 * run (the floor no server can go below).
 *
 * Each process is started, left idle once it is ready, and its RSS read from the operating
 * system; the median of the samples is reported. Nothing is sent: an idle server is one
 * that nothing has asked for anything yet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshBuild } from '../../bin/fresh-build.js';
import { buildServer } from '../../scripts/build-server.ts';
import { freePort } from '../../scripts/services/free-port.ts';
import { REPO_ROOT } from '../lib/child.ts';
import type { Harness } from '../lib/harness.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { fixed, median, times } from '../lib/stats.ts';

/** The goal for an idle server. */
const GOAL_MB = 100;

export interface IdleFigure {
  contender: 'compiled' | 'tsx' | 'bare node';
  /** MB, one per sample. */
  rss: number[];
  /** MB of it that maps files (the node binary, shared libraries): the rest is the process's own. */
  rssFile: number[];
  threads: number[];
  /** ms from the spawn to the first ready answer. */
  readyMs: number[];
}

export async function memorySection(h: Harness): Promise<SectionResult> {
  const samples = h.flags.quick ? 1 : 3;
  // The heap settles a while after the start's work; quick mode only checks the section runs.
  const settleMs = h.flags.quick ? 500 : 10_000;
  // A full run measures the sources as they are, building them if need be. A quick run
  // (npm test) never writes dist/: servers that other tests started may be running from it.
  const stale = freshBuild(pathToFileURL(REPO_ROOT)) === null;
  const rebuilt = stale && !h.flags.quick;
  if (rebuilt) {
    h.log('memory: dist/ is missing or older than src/: building it (npm run build)');
    await buildServer();
  }
  const contenders = stale && !rebuilt ? (['tsx', 'bare node'] as const) : (['compiled', 'tsx', 'bare node'] as const);
  h.log(`memory: ${samples} sample(s) per contender, idle ${settleMs / 1000} s after ready${contenders.length < 3 ? '; dist/ is older than src/, so not the compiled server' : ''}`);
  const figures: IdleFigure[] = [];
  for (const contender of contenders) {
    const figure: IdleFigure = { contender, rss: [], rssFile: [], threads: [], readyMs: [] };
    for (let i = 0; i < samples; i++) {
      const s = await idleProcess(contender, settleMs);
      figure.rss.push(s.rss);
      figure.rssFile.push(s.rssFile);
      figure.threads.push(s.threads);
      figure.readyMs.push(s.readyMs);
    }
    h.log(`  ${contender}: ${fixed(median(figure.rss))} MB RSS (${fixed(median(figure.rssFile))} MB of it file-backed), ${median(figure.threads)} threads, ready in ${fixed(median(figure.readyMs) / 1000)} s`);
    figures.push(figure);
  }
  const of = (c: IdleFigure['contender']) => median(figures.find((f) => f.contender === c)?.rss ?? []);
  const [compiled, tsx, bare] = [of('compiled'), of('tsx'), of('bare node')];
  const compiledText = Number.isNaN(compiled) ? 'not measured: dist/ is older than src/ (npm run build)' : `${fixed(compiled)} MB`;
  const rows: Row[] = [
    {
      section: 15,
      what: 'Idle server RSS, compiled (dist/), SQLite, default config',
      carillon: compiledText,
      peer: `the same through tsx: ${fixed(tsx)} MB`,
      ratio: `tsx holds ${times(tsx / compiled)}`,
      goal: goal(`< ${GOAL_MB} MB`, Number.isNaN(compiled) ? undefined : compiled < GOAL_MB),
    },
    {
      section: 15,
      what: '  same, against a bare Node.js process (the floor)',
      carillon: compiledText,
      peer: `node, idle: ${fixed(bare)} MB`,
      ratio: `${fixed(compiled - bare)} MB above the floor`,
      goal: '',
    },
  ];
  return { name: 'memory', rows, data: { samples, settleMs, rebuilt, figures } };
}

interface Sample {
  rss: number;
  rssFile: number;
  threads: number;
  readyMs: number;
}

async function idleProcess(contender: IdleFigure['contender'], settleMs: number): Promise<Sample> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carillon-bench-memory-'));
  const port = await freePort();
  const args = contender === 'bare node' ? ['-e', 'setInterval(() => {}, 1_000)'] : [join(REPO_ROOT, 'bin', contender === 'compiled' ? 'carillon.js' : 'from-sources.js'), 'serve'];
  const child = spawn(process.execPath, args, {
    // The defaults, as `npm start` runs them: only where the data goes and where to listen.
    env: { PATH: process.env.PATH, CARILLON_DATA_DIR: dataDir, CARILLON_PORT: String(port), CARILLON_HOST: '127.0.0.1', CARILLON_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const t0 = performance.now();
    if (contender !== 'bare node') await ready(`http://127.0.0.1:${port}/readyz`, child, () => stderr);
    const readyMs = performance.now() - t0;
    await sleep(settleMs);
    return { ...statusOf(child.pid!), readyMs };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ready(url: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  // A start that hangs: the loaded machines here take tens of seconds, not minutes.
  const deadline = performance.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during start:\n${stderr()}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (performance.now() > deadline) throw new Error(`the server was not ready after 3 minutes:\n${stderr()}`);
    await sleep(100);
  }
}

/** From /proc (Linux): the bench runs where the project's machines do. */
function statusOf(pid: number): Omit<Sample, 'readyMs'> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, rssFile: kb('RssFile') / 1024, threads: kb('Threads') };
}
