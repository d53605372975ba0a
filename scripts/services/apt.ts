import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';

/** Words for the error shown to someone who is not root and lacks the package. */
export interface MissingPackageHint {
  /** What is missing, e.g. `'PostgreSQL binaries'`. */
  what?: string;
  /** The other way out, e.g. `'set CARILLON_TEST_DATABASE_URL'`. */
  orElse?: string;
}

/**
 * The path of `binaryPath`, installing the Debian package that provides it when it is
 * missing and we are root (CI and fresh machines); otherwise an error naming the package.
 *
 *   await ensureDebianPackage('/usr/bin/redis-server', 'redis-server')
 *
 * `binaryPath` may hold `*` segments for versioned folders, and the highest match wins:
 * `/usr/lib/postgresql/<*>/bin/initdb` (without the brackets) gives
 * `/usr/lib/postgresql/15/bin/initdb` on Debian 12.
 */
export async function ensureDebianPackage(
  binaryPath: string,
  packageName: string,
  hint: MissingPackageHint = {},
): Promise<string> {
  return ensureFile(binaryPath, packageName, hint, constants.X_OK);
}

/**
 * As `ensureDebianPackage`, for a file that a program reads rather than one it runs: a
 * shared library that a browser loads by name when it needs it (Firefox's `libnotify.so.4`),
 * which Debian ships without the execute bit. `*` segments as above: on amd64, the
 * pattern `/usr/lib/<*>/libnotify.so.4` (without the brackets) gives
 * `/usr/lib/x86_64-linux-gnu/libnotify.so.4`.
 */
export async function ensureDebianFile(
  filePath: string,
  packageName: string,
  hint: MissingPackageHint = {},
): Promise<string> {
  return ensureFile(filePath, packageName, hint, constants.R_OK);
}

async function ensureFile(pattern: string, packageName: string, hint: MissingPackageHint, mode: number): Promise<string> {
  const found = findFile(pattern, mode);
  if (found !== undefined) return found;

  const what = hint.what ?? pattern;
  if (process.getuid?.() !== 0) {
    const orElse = hint.orElse === undefined ? '' : ` or ${hint.orElse}`;
    throw new Error(
      `${what} not found (${pattern}): install the Debian package '${packageName}' ` +
        `(sudo apt-get install ${packageName})${orElse}`,
    );
  }

  await oneAtATime(() => install(packageName, what));
  const installed = findFile(pattern, mode);
  if (installed === undefined) {
    throw new Error(`installed the Debian package '${packageName}' but ${pattern} is still missing`);
  }
  return installed;
}

/** The highest-sorting file matching `pattern` (`*` matches within one segment) that we may use as `mode` says. */
function findFile(pattern: string, mode: number): string | undefined {
  let candidates: string[] = ['/'];
  for (const segment of pattern.split('/').filter(Boolean)) {
    if (!segment.includes('*')) {
      candidates = candidates.map((dir) => path.join(dir, segment));
      continue;
    }
    const matcher = new RegExp(`^${segment.split('*').map(escapeRegExp).join('[^/]*')}$`);
    candidates = candidates.flatMap((dir) => listDir(dir).filter((name) => matcher.test(name)).map((name) => path.join(dir, name)));
  }
  // Numeric order, so that PostgreSQL 16 comes after 9.6.
  const usable = candidates.filter((file) => hasAccess(file, mode)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return usable.at(-1);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function hasAccess(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// dpkg holds one lock for the whole machine: PostgreSQL and Redis are started in parallel,
// so their installs must queue rather than fail on each other's lock.
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

let listsUpdated = false;

async function install(packageName: string, what: string): Promise<void> {
  process.stderr.write(`${what} missing: installing the Debian package '${packageName}' with apt-get\n`);
  const installArgs = ['install', '-y', '--no-install-recommends', packageName];
  // Fresh images (Docker's debian:12) ship without package lists: install would only fail.
  if (!listsUpdated && !hasPackageLists()) await updateLists();
  try {
    await aptGet(installArgs);
  } catch (error) {
    // Stale lists name package versions the mirror no longer has; refresh them once.
    if (listsUpdated) throw error;
    await updateLists();
    await aptGet(installArgs);
  }
}

async function updateLists(): Promise<void> {
  await aptGet(['update']);
  listsUpdated = true;
}

function hasPackageLists(): boolean {
  return listDir('/var/lib/apt/lists').some((name) => name.includes('_Packages'));
}

function aptGet(args: string[]): Promise<void> {
  // Wait for a lock held by another apt (unattended-upgrades, a parallel job) instead of failing.
  const fullArgs = ['-q', '-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Use-Pty=0', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', fullArgs, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Only the end of apt's output explains a failure; keep that much.
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => reject(new Error(`could not run apt-get (${error.message}); install the package yourself`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`apt-get ${args.join(' ')} exited with ${code}:\n${tail.trim()}`));
    });
  });
}
