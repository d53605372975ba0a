/** Runs `carillon serve` as a real child process, for crash and shutdown tests. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/services/free-port.ts';

const BIN = fileURLToPath(new URL('../../bin/carillon.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** `bin`: another install's bin/carillon.js (a copy of the repository a test built). */
export async function startServerProcess(env: Record<string, string>, { bin = BIN }: { bin?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      CARILLON_PORT: String(port),
      CARILLON_HOST: '127.0.0.1',
      CARILLON_LOG_LEVEL: 'warn',
      // Tests play thousands of browsers from one address: no per-client rate unless asked.
      CARILLON_CLIENT_RATE: '0',
      // Each crypto thread loads its modules through tsx on its own (a second or more of CPU
      // per thread at every start); one thread, and no urgent one, unless a test asks.
      CARILLON_CRYPTO_THREADS: '1',
      CARILLON_URGENT_CRYPTO_THREADS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  // A start that fails ends the process and is seen at once; the deadline is for one that
  // hangs, and is wide because a loaded two-core machine takes tens of seconds to start.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`carillon exited during start:\n${out}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      // Left running, it would keep the test file's process (and so the whole run) alive.
      child.kill('SIGKILL');
      throw new Error(`carillon did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out, exited };
}

export async function http(url: string, method: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Runs one `carillon` command to its end; a non-zero exit is returned, not thrown. */
export async function runCarillon(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
