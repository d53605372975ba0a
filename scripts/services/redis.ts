import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, appendFileSync, closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDebianPackage } from './apt.ts';
import { freePort } from './free-port.ts';
import { hasExited, logTail, stopProcess } from './child-process.ts';

export interface StartedRedis {
  /** `redis://127.0.0.1:<port>`, no password. */
  url: string;
  /** Server version, e.g. `'7.0.15'`. */
  version: string;
  port: number;
  /** Stops the server and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000; // Redis answers within ~50 ms; the margin is for loaded CI machines
const BIND_ATTEMPTS = 3; // freePort() can lose a race with another process taking the port

/**
 * A throwaway Redis server in a temp folder on a free port on 127.0.0.1, with
 * persistence off. Uses `redis-server` from PATH, installing Debian's `redis-server`
 * package as root when it is missing.
 *
 *   const redis = await startRedis();
 *   try { ...connect to redis.url... } finally { await redis.stop(); }
 */
export async function startRedis(): Promise<StartedRedis> {
  const binary =
    findOnPath('redis-server') ??
    (await ensureDebianPackage('/usr/bin/redis-server', 'redis-server', {
      what: 'redis-server',
      orElse: 'set CARILLON_TEST_REDIS_URL',
    }));

  const root = mkdtempSync(path.join(os.tmpdir(), 'carillon-redis-'));
  const logFile = path.join(root, 'redis.log');
  let child: ChildProcess | undefined;
  // A crash of the caller must not leave a server running or a folder behind.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const logFd = openSync(logFile, 'w');
      child = spawn(
        binary,
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--dir', root,
          // No RDB snapshots and no AOF: test data is thrown away.
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'no',
        ],
        { cwd: root, stdio: ['ignore', logFd, logFd] },
      );
      closeSync(logFd);
      // A failed spawn sets exitCode without an 'exit' event; the log carries the reason.
      child.once('error', (error) => appendFileSync(logFile, `${error.message}\n`));

      const ready = await waitForPong(child, port, logFile);
      if (ready === 'port-taken' && attempt < BIND_ATTEMPTS) continue;
      if (ready === 'port-taken') throw new Error(`Redis could not bind a free port:\n${logTail(logFile)}`);

      const server = child;
      let stopping: Promise<void> | undefined;
      return {
        url: `redis://127.0.0.1:${port}`,
        version: ready.version,
        port,
        stop: () => {
          stopping ??= (async () => {
            await stopProcess(server, 'SIGTERM');
            rmSync(root, { recursive: true, force: true });
            process.off('exit', onExit);
          })();
          return stopping;
        },
      };
    }
  } catch (error) {
    if (child !== undefined) await stopProcess(child, 'SIGTERM');
    rmSync(root, { recursive: true, force: true });
    process.off('exit', onExit);
    throw error;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The server's version once it answers, or 'port-taken' when the bind lost a race. */
async function waitForPong(child: ChildProcess, port: number, logFile: string): Promise<{ version: string } | 'port-taken'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      const log = logTail(logFile);
      if (log.includes('Address already in use')) return 'port-taken';
      throw new Error(`redis-server exited during start-up (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    try {
      // Connection refused until bound, then -LOADING until the (empty) dataset is loaded.
      if ((await redisCommand(port, 'PING')) === 'PONG') {
        // The port may have been taken by another server after freePort() chose it.
        const info = await redisCommand(port, 'INFO server');
        if (/^process_id:(\d+)/m.exec(info)?.[1] === String(child.pid)) {
          return { version: /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown' };
        }
        lastError = new Error(`port ${port} answered from another redis-server`);
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`Redis did not answer PING within ${READY_TIMEOUT_MS} ms (${String(lastError)}):\n${logTail(logFile)}`);
}

/**
 * Sends one inline command and returns the reply: the text of a simple string or the
 * body of a bulk string; an error reply rejects. Enough RESP for start-up checks, so that
 * the harness needs no Redis client library.
 */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000, () => socket.destroy(new Error(`no reply to ${command}`)));
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: string) => {
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(reply ?? '');
    };
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd === -1) return;
      const line = buffer.subarray(1, lineEnd).toString();
      switch (buffer[0]) {
        case 0x2b: // '+' simple string
          return finish(undefined, line);
        case 0x2d: // '-' error
          return finish(new Error(line));
        case 0x24: {
          // '$' bulk string: length, CRLF, body, CRLF
          const length = Number(line);
          const bodyStart = lineEnd + 2;
          if (buffer.length < bodyStart + length + 2) return;
          return finish(undefined, buffer.subarray(bodyStart, bodyStart + length).toString());
        }
        default:
          return finish(new Error(`unexpected reply to ${command}: ${buffer.toString().slice(0, 80)}`));
      }
    });
  });
}
