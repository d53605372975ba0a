import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** ms a server gets to stop after its polite signal before SIGKILL; with nothing to save, both exit at once. */
const STOP_TIMEOUT_MS = 10_000;

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal` (the server's own "stop now, cleanly"), then SIGKILL if it is still there after the timeout. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The end of a server's log, for an error message that says why it did not start. */
export function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-3000).trim();
  } catch {
    return '(no log)';
  }
}
