import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What `carillon serve` does so that an idle server does not keep the memory of its start
 * (bench section 15).
 *
 * V8 grows its young generation (the semi-spaces new objects are made in) while most of
 * them survive, which is what a start-up does: loading some hundreds of modules and
 * building the routes keeps nearly all it makes. Left alone, the young generation has
 * grown to its maximum (16 MB a semi-space, 32 MB resident) by the time the server is
 * ready, and the old generation holds the start's garbage, until V8's memory reducer
 * shrinks both once it finds the process idle, some 30-40 s later (its timer starts at a
 * full GC, and the last one was in the middle of the start).
 *
 * So the start holds the young generation at its first size (1 MB a semi-space), and once
 * the start's work is done it runs one full GC, which frees the start's garbage and sets
 * the memory reducer going from there (8 s later, should the server still be idle, it
 * shrinks the heap and hands the pages back), then lets the young generation grow again:
 * a busy server's scavenges grow it as before.
 */
export function holdYoungGeneration() {
  held = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  process.on('worker', holdPastWorker);
}

/** The start's work is done: its garbage is collected, and the young generation grows with the load again. */
export function releaseStartMemory() {
  collectGarbage();
  held = false;
  process.off('worker', holdPastWorker);
  setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
}

/** V8's own default (semi_space_growth_factor in its src/flags/flag-definitions.h). */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

let held = false;

/**
 * V8 reads the growth factor each time it would grow the young generation, so the flag
 * takes effect when set at run time; but each new isolate (a worker thread: the SQLite
 * checkpointer, the store's integrity check) sets it back to V8's default while it
 * configures its heap, so the hold is set again once a worker thread is online.
 * @param {import('node:worker_threads').Worker} worker
 */
function holdPastWorker(worker) {
  worker.once('online', () => {
    if (held) setFlagsFromString('--semi-space-growth-factor=1');
  });
}

/**
 * One full GC, without starting the process with --expose-gc: a context made while the
 * flag is set has V8's gc() on its global, and contexts made afterwards have not.
 */
function collectGarbage() {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  gc();
}
