/**
 * CPU times from Linux's /proc: the calling thread's alone (the main thread's share of a
 * process whose crypto threads count in process.cpuUsage() too), and any process's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | undefined;

/** Clock ticks a second, the unit of /proc's CPU times. */
export function ticksPerSecond(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}

/**
 * The fields of a /proc/.../stat file after the command name (which is in parentheses and
 * may hold spaces): [0] is field 3 of stat(5), the state, so field k is [k - 3]. Undefined
 * when the file is not there (not Linux, or the process is gone).
 */
export function procStat(path: string): string[] | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** ms of CPU (user + system) of the calling thread so far; NaN where /proc is not there. */
export function threadCpuMs(): number {
  const fields = procStat('/proc/thread-self/stat');
  // utime and stime, fields 14 and 15.
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond() : Number.NaN;
}
