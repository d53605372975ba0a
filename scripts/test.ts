/**
 * Runs the test suite against real services: `npm test [-- filters...]`.
 *
 *   npm test                                every *.test.ts under src/ and test/
 *   npm test -- test/store src/protocol     files whose path contains any filter
 *   npm test -- --test-name-pattern=vapid   arguments starting with '-' go to node --test
 *                                           (use the --flag=value form)
 *
 * Before the tests it starts a throwaway PostgreSQL and Redis on free loopback ports and
 * hands them to the tests as CARILLON_TEST_DATABASE_URL and CARILLON_TEST_REDIS_URL; they
 * are stopped and their folders removed afterwards, also on failure and Ctrl-C.
 *
 * - A URL already set in the environment is used as is, and that service is not started.
 * - CARILLON_TEST_SERVICES=none starts nothing, for quick unit runs: tests that need a
 *   service then fail saying which variable is missing (they are never skipped).
 * - Test files run two at a time against the same servers, so a test that writes makes
 *   its own schema, database or key prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './services/postgres.ts';
import { startRedis } from './services/redis.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_FOLDERS = ['src', 'test'];
// Two cores on the project's machines; more files at once only slows each down.
const TEST_CONCURRENCY = 2;
/** ms; the bench smoke test, the longest file, takes 150 to 260 s on a loaded machine. */
const FILE_TIMEOUT_MS = 900_000;

const services: { stop(): Promise<void> }[] = [];
let testProcess: ChildProcess | undefined;
let interruptedBy: NodeJS.Signals | undefined;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => onSignal(signal));
}

process.exit(await main(process.argv.slice(2)));

async function main(args: string[]): Promise<number> {
  const nodeTestOptions = args.filter((arg) => arg.startsWith('-'));
  const filters = args.filter((arg) => !arg.startsWith('-')).map(normalizeFilter);
  const allFiles = findTestFiles();
  const files = filters.length === 0 ? allFiles : allFiles.filter((file) => filters.some((filter) => file.includes(filter)));
  if (files.length === 0) {
    // An empty run would pass; a typo in a filter must not look like success.
    console.error(filters.length === 0 ? 'no test files found under src/ or test/' : `no test file matches ${filters.join(', ')}`);
    return 1;
  }

  try {
    const dashboard = files.some(usesDashboard);
    const [env, built] = await Promise.all([startServices(), dashboard ? buildDashboard() : true]);
    if (env === undefined || !built) return 1;
    if (interruptedBy !== undefined) return exitCodeFor(interruptedBy);
    if (dashboard) env.CARILLON_TEST_DASHBOARD_BUILT = '1';
    return await runTests(files, nodeTestOptions, env);
  } finally {
    await stopServices();
  }
}

/** The browser tests of the dashboard, which load it from dashboard/dist as `carillon serve` serves it. */
function usesDashboard(file: string): boolean {
  return file.startsWith('test/dashboard/');
}

/**
 * Builds the dashboard from the sources under test, once, before any file runs: a file
 * that built it itself would empty dashboard/dist (Vite's emptyOutDir) under the pages of
 * another file running beside it, whose browser then found no script to load.
 */
function buildDashboard(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'build-dashboard.ts')], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', (error) => {
      console.error(`could not build the dashboard: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code) => {
      if (code !== 0) console.error('could not build the dashboard for its browser tests');
      resolve(code === 0);
    });
  });
}

function findTestFiles(): string[] {
  const files: string[] = [];
  for (const folder of TEST_FOLDERS) {
    const absolute = path.join(repoRoot, folder);
    if (!existsSync(absolute)) continue;
    for (const entry of readdirSync(absolute, { recursive: true, encoding: 'utf8' })) {
      const file = `${folder}/${entry.split(path.sep).join('/')}`;
      if (file.endsWith('.test.ts') && !file.split('/').includes('node_modules')) files.push(file);
    }
  }
  return files.sort();
}

/** Filters are matched against repo-relative paths with forward slashes. */
function normalizeFilter(arg: string): string {
  const relative = path.isAbsolute(arg) ? path.relative(repoRoot, arg) : arg;
  return relative.split(path.sep).join('/').replace(/^\.\//, '');
}

/** The environment for the tests, or undefined when a service could not start. */
async function startServices(): Promise<NodeJS.ProcessEnv | undefined> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (process.env.CARILLON_TEST_SERVICES === 'none') {
    console.log('services: none started (CARILLON_TEST_SERVICES=none)');
    return env;
  }

  const startedAt = performance.now();
  // Slots keep the summary line in a fixed order, whichever server is up first.
  const described: string[] = [];
  const starts: Promise<void>[] = [];
  if (env.CARILLON_TEST_DATABASE_URL === undefined) {
    const slot = described.push('PostgreSQL') - 1;
    starts.push(
      startPostgres().then((postgres) => {
        services.push(postgres);
        described[slot] = `PostgreSQL ${postgres.version} on 127.0.0.1:${postgres.port}`;
        env.CARILLON_TEST_DATABASE_URL = postgres.url;
      }),
    );
  } else {
    described.push('PostgreSQL from CARILLON_TEST_DATABASE_URL');
  }
  if (env.CARILLON_TEST_REDIS_URL === undefined) {
    const slot = described.push('Redis') - 1;
    starts.push(
      startRedis().then((redis) => {
        services.push(redis);
        described[slot] = `Redis ${redis.version} on 127.0.0.1:${redis.port}`;
        env.CARILLON_TEST_REDIS_URL = redis.url;
      }),
    );
  } else {
    described.push('Redis from CARILLON_TEST_REDIS_URL');
  }

  const failures = (await Promise.allSettled(starts)).filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures) console.error(`could not start a test service: ${errorMessage(failure.reason)}`);
    return undefined;
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const startedLine = services.length > 0 ? ` (started in ${seconds} s)` : '';
  console.log(`services: ${described.join(', ')}${startedLine}`);
  return env;
}

async function stopServices(): Promise<void> {
  const stops = services.splice(0).map((service) => service.stop());
  for (const result of await Promise.allSettled(stops)) {
    if (result.status === 'rejected') console.error(`could not stop a test service: ${errorMessage(result.reason)}`);
  }
}

function runTests(files: string[], nodeTestOptions: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Node 20's --test does not expand globs or find .ts files itself, hence the explicit list;
  // `--import tsx` is passed on to the process that runs each file.
  const args = [
    '--import', 'tsx',
    '--test',
    `--test-concurrency=${TEST_CONCURRENCY}`,
    // A file that hangs (a promise that never settles, a handle left open) fails after
    // this long rather than hold the run until CI gives up on it. No file takes near it.
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    // The ten slowest files, after the summary: where a run's time went.
    `--test-reporter=${path.join(repoRoot, 'scripts', 'slowest-files.mjs')}`,
    '--test-reporter-destination=stdout',
    ...nodeTestOptions,
    ...files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'inherit' });
    testProcess = child;
    child.once('error', (error) => {
      console.error(`could not run node --test: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      testProcess = undefined;
      resolve(code ?? exitCodeFor(signal ?? 'SIGTERM'));
    });
  });
}

function onSignal(signal: NodeJS.Signals): void {
  if (interruptedBy !== undefined) {
    // A second signal means "now": the services' exit hooks kill them and remove their folders.
    process.exit(exitCodeFor(signal));
  }
  interruptedBy = signal;
  if (testProcess !== undefined) {
    // Ctrl-C already reached the whole process group; a SIGTERM sent to us alone did not.
    testProcess.kill(signal);
    return; // main() stops the services once the tests have exited
  }
  // Still starting services: stop those already up, and let exit hooks handle the rest.
  void stopServices().finally(() => process.exit(exitCodeFor(signal)));
}

function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
