/**
 * A node --test reporter that prints, once the run is over, the ten test files that took
 * longest: one line each, the seconds of its top-level tests added up (they run one after
 * the other within a file), then the file. scripts/test.ts runs it beside the spec reporter.
 * Plain JavaScript: node loads reporters before the `--import tsx` hook is in place.
 */
import path from 'node:path';

const SHOWN = 10;

/** @param {AsyncIterable<{ type: string, data?: { file?: string, nesting?: number, details?: { duration_ms?: number } } }>} source */
export default async function* slowestFiles(source) {
  /** @type {Map<string, number>} */
  const seconds = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, nesting, details } = event.data ?? {};
    if (file === undefined || nesting !== 0 || details?.duration_ms === undefined) continue;
    seconds.set(file, (seconds.get(file) ?? 0) + details.duration_ms / 1000);
  }
  const slowest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  if (slowest.length < 2) return; // one file's time is in the spec output already
  yield '\nslowest test files (seconds of their top-level tests):\n';
  for (const [file, s] of slowest) yield `${s.toFixed(1).padStart(8)} s  ${path.relative(process.cwd(), file)}\n`;
}
