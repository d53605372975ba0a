/**
 * Child processes of the bench: each contender runs in its own process, so that its
 * peak RSS is its own and its event loop shares nothing with the harness. They speak
 * to the harness over Node's IPC channel with `{ type, ... }` messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Message {
  type: string;
  [field: string]: unknown;
}

export interface Child {
  readonly pid: number;
  send(message: Message): void;
  /** The next message of this type (buffered if it came already). */
  next<T extends object = Message>(type: string, timeoutMs?: number): Promise<T>;
  /** Every message of this type, as it arrives. */
  on(type: string, listener: (message: Message) => void): void;
  /** Asks the child to stop (`{ type: 'stop' }`) and returns its last report. */
  stop<T extends object = Message>(timeoutMs?: number): Promise<T>;
  kill(): void;
  readonly exited: Promise<number | null>;
}

export interface StartChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra Node flags, e.g. --expose-gc or --cpu-prof. */
  execArgv?: string[];
  /** Name used in error messages. */
  name?: string;
}

/**
 * Forks `bench/<script>` under tsx with `args` as JSON in argv[2]; an absolute path (a
 * JavaScript file, bench/lib/compiled-server.ts) is forked with plain node.
 */
export function startChild(script: string, args: unknown, options: StartChildOptions = {}): Child {
  const name = options.name ?? script;
  const compiled = isAbsolute(script);
  const proc: ChildProcess = fork(compiled ? script : new URL(`../${script}`, import.meta.url), [JSON.stringify(args ?? {})], {
    cwd: REPO_ROOT,
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Kept for error messages; a child's output is never part of the table.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);

  const inbox: Message[] = [];
  const waiters: { type: string; resolve(m: Message): void; reject(e: Error): void }[] = [];
  const listeners = new Map<string, ((m: Message) => void)[]>();
  let exitError: Error | undefined;

  proc.on('message', (raw) => {
    const message = raw as Message;
    if (message.type === 'error') {
      fail(new Error(`${name}: ${String(message.message)}`));
      return;
    }
    for (const listener of listeners.get(message.type) ?? []) listener(message);
    const i = waiters.findIndex((w) => w.type === message.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
    else if (!listeners.has(message.type)) inbox.push(message);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('close', (code, signal) => {
      if (code !== 0) fail(new Error(`${name} exited with ${code ?? signal}\n${output.trim()}`));
      else fail(new Error(`${name} exited`));
      resolve(code);
    });
  });

  function fail(error: Error): void {
    exitError ??= error;
    for (const w of waiters.splice(0)) w.reject(exitError);
  }

  const next = <T extends object>(type: string, timeoutMs = 600_000): Promise<T> => {
    const i = inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
    if (exitError) return Promise.reject(exitError);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const k = waiters.indexOf(waiter);
        if (k >= 0) waiters.splice(k, 1);
        reject(new Error(`${name}: no '${type}' within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.push(waiter);
    });
  };

  return {
    pid: proc.pid ?? -1,
    send(message) {
      if (proc.connected) proc.send(message);
    },
    next,
    on(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
      for (const m of inbox.filter((x) => x.type === type)) listener(m);
      for (let i = inbox.length - 1; i >= 0; i--) if (inbox[i]!.type === type) inbox.splice(i, 1);
    },
    async stop<T extends object>(timeoutMs = 120_000): Promise<T> {
      const report = next<T>('stopped', timeoutMs);
      this.send({ type: 'stop' });
      try {
        return await report;
      } finally {
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
    },
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
    exited,
  };
}
