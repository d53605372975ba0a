import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { assignVariant, inTestGroup, placeRecipient, unitHash } from './assign.ts';
import { validateVariants } from './variants.ts';

const KEYS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

/** Shares of `keys` per label, against the expected shares, within `tolerance` (absolute). */
function assertShares(counts: Map<string, number>, n: number, expected: Record<string, number>, tolerance: number): void {
  assert.deepEqual([...counts.keys()].sort(), Object.keys(expected).sort());
  for (const [label, share] of Object.entries(expected)) {
    const got = (counts.get(label) ?? 0) / n;
    assert.ok(Math.abs(got - share) < tolerance, `${label}: ${got.toFixed(4)} vs ${share.toFixed(4)}`);
  }
}

const tally = (labels: Iterable<string>) => {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
};

// At n = 100,000 the standard deviation of a share near 0.3 is 0.0015: 0.006 is four of them.
const TOLERANCE = 0.006;

test('on 100,000 keys the weights 1:2:3 and a 10% holdout hold their shares', () => {
  const split = [{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }, { id: 'c', weight: 3 }];
  const labels = KEYS.map((k) => {
    const a = assignVariant('cmp_1', k, split, 0.1);
    return a.holdout ? 'holdout' : a.variant;
  });
  assertShares(tally(labels), KEYS.length, { holdout: 0.1, a: 0.9 / 6, b: 0.9 / 3, c: 0.9 / 2 }, TOLERANCE);
});

test('eight equal variants, no holdout: an eighth each; another campaign reshuffles the users', () => {
  const split = Array.from({ length: 8 }, (_, i) => ({ id: `v${i}`, weight: 1 }));
  const first = KEYS.map((k) => (assignVariant('cmp_1', k, split, 0) as { variant: string }).variant);
  assertShares(tally(first), KEYS.length, Object.fromEntries(split.map((v) => [v.id, 1 / 8])), TOLERANCE);
  const second = KEYS.map((k) => (assignVariant('cmp_2', k, split, 0) as { variant: string }).variant);
  const same = first.filter((v, i) => v === second[i]).length / KEYS.length;
  assert.ok(Math.abs(same - 1 / 8) < TOLERANCE, `independent across campaigns: ${same}`);
});

test('the test group is 20% by default, holds the variants in their weights, and is apart from the holdout', () => {
  const config = validateVariants({ split: [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }], holdout: 0.1, winner: {} });
  const placed = KEYS.map((k) => placeRecipient('cmp_w', k, config));
  const kinds = tally(placed.map((p) => p.kind));
  assertShares(kinds, KEYS.length, { holdout: 0.1, test: 0.9 * 0.2, rest: 0.9 * 0.8 }, TOLERANCE);
  const inTest = placed.filter((p): p is { kind: 'test'; variant: string } => p.kind === 'test');
  assertShares(tally(inTest.map((p) => p.variant)), inTest.length, { a: 0.25, b: 0.75 }, 0.015);
  const group = KEYS.filter((k) => inTestGroup('cmp_w', k, 0.2)).length / KEYS.length;
  assert.ok(Math.abs(group - 0.2) < TOLERANCE, String(group));
});

test('a larger holdout takes users out of their variant, never moves them to another', () => {
  const split = [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }];
  for (const k of KEYS.slice(0, 20_000)) {
    const small = assignVariant('cmp_h', k, split, 0.05);
    const large = assignVariant('cmp_h', k, split, 0.2);
    if (small.holdout) assert.ok(large.holdout, k);
    else if (!large.holdout) assert.equal(large.variant, small.variant, k);
  }
});

test('pinned values: a change of hash would reassign the users of campaigns already running', () => {
  // Computed once and pinned; a rerun after an upgrade must give the same answers.
  const split = [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 2 }];
  const got = ['alice', 'bruno', 'chen', 'dana', 'emeka', 'farah'].map((k) => {
    const a = assignVariant('cmp_pinned', k, split, 0.2);
    return a.holdout ? 'holdout' : a.variant;
  });
  assert.deepEqual(got, ['c', 'a', 'c', 'b', 'b', 'holdout']);
  // The unit is the first 48 bits of SHA-256 of the JSON triple, as coreutils computes it:
  // printf '%s' '["variant","cmp_pinned","alice"]' | sha256sum  ->  80f480040251...
  assert.equal(unitHash('variant', 'cmp_pinned', 'alice'), 0x80f480040251 / 2 ** 48);
});

test('a worker thread assigns as this thread does', async () => {
  const split = [{ id: 'a', weight: 5 }, { id: 'b', weight: 3 }, { id: 'c', weight: 2 }];
  const here = KEYS.slice(0, 2_000).map((k) => JSON.stringify(assignVariant('cmp_t', k, split, 0.15)));
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    // A worker does not inherit the TypeScript loader (as crypto-worker-entry.mjs says).
    import('tsx/esm/api').then(({ register }) => { register(); return import(workerData.module); }).then(({ assignVariant }) => {
      parentPort.postMessage(workerData.keys.map((k) => JSON.stringify(assignVariant('cmp_t', k, workerData.split, 0.15))));
    });`;
  const there = await new Promise<string[]>((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { module: new URL('./assign.ts', import.meta.url).href, keys: KEYS.slice(0, 2_000), split } });
    w.once('message', (m: string[]) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
  assert.deepEqual(there, here);
});
