import { COUNT_OPS, type CountOp, type EventFilter } from './types.ts';

/** The comparison a count filter makes; absent means at least once. */
export function countComparison(f: EventFilter): { op: CountOp; n: number } {
  for (const op of COUNT_OPS) if (f.count && f.count[op] !== undefined) return { op, n: f.count[op]! };
  return { op: 'gte', n: 1 };
}

export function compareCount(op: CountOp, c: number, n: number): boolean {
  return { eq: c === n, neq: c !== n, gt: c > n, gte: c >= n, lt: c < n, lte: c <= n }[op];
}
