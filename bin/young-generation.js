import { setFlagsFromString } from 'node:v8';

/**
 * V8 grows its young generation (the semi-spaces new objects are made in) while most of
 * them survive, which is what a start-up does: loading some hundreds of modules and
 * building the routes keeps nearly all it makes. By the time the server is ready the
 * young generation has grown to its maximum (16 MB a semi-space, 32 MB resident), and an
 * idle server keeps it until V8's memory reducer shrinks it, some 30-40 s later (bench
 * section 15).
 *
 * So `carillon serve` holds the young generation at its first size (1 MB a semi-space)
 * while it starts, and lets it grow again once it listens: a busy server's scavenges grow
 * it as before, an idle one never pays for the start's survivors. V8 reads the growth
 * factor each time it would grow, so the flag takes effect when set at run time; but each
 * new isolate (a worker thread: the SQLite checkpointer, the integrity check) sets it back
 * to V8's default while it configures its heap, so the hold is set again once a worker
 * thread is online.
 */
export function holdYoungGeneration() {
  held = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  process.on('worker', holdPastWorker);
}

/** Lets the young generation grow again, as V8 does by default. */
export function releaseYoungGeneration() {
  held = false;
  process.off('worker', holdPastWorker);
  setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
}

/** V8's own default (semi_space_growth_factor in its src/flags/flag-definitions.h). */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

let held = false;

/** @param {import('node:worker_threads').Worker} worker */
function holdPastWorker(worker) {
  worker.once('online', () => {
    if (held) setFlagsFromString('--semi-space-growth-factor=1');
  });
}
