import { chiSquaredTest } from './chi-squared.ts';
import type { Otherwise } from './variants.ts';

/** A variant's figures at the end of the test. `sent` is the denominator of its click rate. */
export interface VariantResult {
  id: string;
  sent: number;
  clicked: number;
}

export interface DecideOptions {
  /** What to do without a winner (the campaign's `winner.otherwise`). */
  otherwise: Otherwise;
  /** Significance level; 0.05 as the issue sets it. */
  alpha?: number;
  /** The small-sample rule: every expected cell count at least this (Cochran's rule of 5). */
  minExpected?: number;
}

/**
 * - `significant`: p < alpha and one variant has the highest click rate;
 * - `not_significant`: the test ran and p >= alpha;
 * - `too_few`: the small-sample rule failed, the test was not trusted (pValue is still given);
 * - `best_tied`: p < alpha, but two or more variants share the highest rate.
 */
export type DecisionReason = 'significant' | 'not_significant' | 'too_few' | 'best_tied';

export interface Decision {
  /** `winner`: send `variant` to the rest; `send_best`: send `variant` anyway; `stop`: send the rest nothing. */
  decision: 'winner' | 'send_best' | 'stop';
  /** The variant the rest gets; null on `stop`. */
  variant: string | null;
  reason: DecisionReason;
  /** The test's figures, null when fewer than two variants were sent anything. */
  statistic: number | null;
  df: number | null;
  pValue: number | null;
  alpha: number;
  /** Each variant's click rate (clicked / sent; 0 when sent is 0), in the order given. */
  rates: { id: string; rate: number }[];
  /** For people: what was compared and why this decision. */
  detail: string;
}

/**
 * The decision of winner mode after its wait: Pearson's chi-squared test over the
 * variants' clicked / not clicked (k×2), and at p < alpha the variant with the highest
 * click rate wins. Without a winner, `send_best` sends the highest rate anyway (the first
 * listed among equals) and `stop` sends the rest nothing; `reason` says which case it was.
 *
 * The test is trusted only when every expected count is at least `minExpected` (5):
 * below that the chi-squared approximation to the table's distribution is poor (Cochran
 * 1954), and a handful of clicks could name a winner by chance.
 *
 * With three or more variants the test says the rates are not all equal, not that the
 * best beats the runner-up; docs/campaigns-policy.md says so.
 */
export function decideWinner(results: readonly VariantResult[], options: DecideOptions): Decision {
  const alpha = options.alpha ?? 0.05;
  const minExpected = options.minExpected ?? 5;
  const rates = results.map((r) => ({ id: r.id, rate: r.sent > 0 ? r.clicked / r.sent : 0 }));
  // Compared as fractions (a.clicked · b.sent vs b.clicked · a.sent): exact, so equal rates tie.
  const better = (a: VariantResult, b: VariantResult) => a.clicked * b.sent - b.clicked * a.sent;
  const sentSome = results.filter((r) => r.sent > 0);
  let best: VariantResult | undefined;
  for (const r of sentSome) if (best === undefined || better(r, best) > 0) best = r;
  const tied = best === undefined ? [] : sentSome.filter((r) => better(r, best!) === 0);
  const describe = (r: VariantResult) => `${r.id} ${r.clicked}/${r.sent}`;
  const figures = results.map(describe).join(', ');

  if (sentSome.length < 2) {
    return fallback(options.otherwise, best, 'too_few', { statistic: null, df: null, pValue: null }, alpha, rates, `fewer than two variants were sent anything (${figures})`);
  }
  const test = chiSquaredTest(sentSome);
  const stats = { statistic: test.statistic, df: test.df, pValue: test.pValue };
  const p = `X² = ${test.statistic.toFixed(3)}, df ${test.df}, p = ${test.pValue.toPrecision(3)}`;
  if (test.minExpected < minExpected) {
    return fallback(options.otherwise, best, 'too_few', stats, alpha, rates, `an expected count is ${test.minExpected.toFixed(2)}, under ${minExpected}: too few sends or clicks to trust the test (${figures}; ${p})`);
  }
  if (test.pValue >= alpha) return fallback(options.otherwise, best, 'not_significant', stats, alpha, rates, `no significant difference at ${alpha} (${figures}; ${p})`);
  if (tied.length > 1) {
    return fallback(options.otherwise, best, 'best_tied', stats, alpha, rates, `the rates differ, but ${tied.map((r) => r.id).join(' and ')} share the highest (${figures}; ${p})`);
  }
  return { decision: 'winner', variant: best!.id, reason: 'significant', ...stats, alpha, rates, detail: `${best!.id} has the highest click rate at ${p} < ${alpha} (${figures})` };
}

function fallback(otherwise: Otherwise, best: VariantResult | undefined, reason: DecisionReason, stats: Pick<Decision, 'statistic' | 'df' | 'pValue'>, alpha: number, rates: Decision['rates'], why: string): Decision {
  if (otherwise === 'stop' || best === undefined) return { decision: 'stop', variant: null, reason, ...stats, alpha, rates, detail: `stopped: ${why}` };
  return { decision: 'send_best', variant: best.id, reason, ...stats, alpha, rates, detail: `sending the best, ${best.id}: ${why}` };
}
