import { regularizedGammaP, regularizedGammaQ } from './gamma.ts';

/** One row of a k×2 table: a variant's recipients and how many of them clicked. */
export interface ClickRow {
  sent: number;
  clicked: number;
}

export interface ChiSquaredResult {
  /** Pearson's X² = Σ (observed - expected)² / expected over the 2k cells. */
  statistic: number;
  /** (rows - 1)(2 - 1): rows that were sent nothing are left out, as they carry no information. */
  df: number;
  /** P(X² >= statistic) under the hypothesis that every row has the same click rate. */
  pValue: number;
  /** The smallest expected cell count, for the small-sample rule (decide-winner.ts). */
  minExpected: number;
}

/** The chi-squared distribution's CDF with `df` degrees of freedom: P(df/2, x/2). */
export function chiSquaredCdf(x: number, df: number): number {
  return x <= 0 ? 0 : regularizedGammaP(df / 2, x / 2);
}

/** Its upper tail, 1 - CDF, computed directly so that tiny p-values keep their digits. */
export function chiSquaredSurvival(x: number, df: number): number {
  return x <= 0 ? 1 : regularizedGammaQ(df / 2, x / 2);
}

/**
 * Pearson's chi-squared test of homogeneity on a k×2 table (rows: variants; columns:
 * clicked, not clicked), without Yates's correction (R's `chisq.test(x, correct = FALSE)`):
 * do the rows share one click rate? Expected counts are row total × column total / N.
 *
 * A table with no clicks at all, or only clicks, has an empty column: the rates are
 * trivially equal, so X² is 0 and p is 1 (R answers NaN there; a campaign needs an answer).
 *
 * @throws RangeError when a count is not a whole number >= 0, clicked > sent, or fewer
 *   than two rows were sent anything.
 * @example chiSquaredTest([{ sent: 20, clicked: 1 }, { sent: 80, clicked: 49 }]) // X² = 20.25, df 1, p ≈ 6.8e-6
 */
export function chiSquaredTest(rows: readonly ClickRow[]): ChiSquaredResult {
  for (const [i, r] of rows.entries()) {
    if (!Number.isSafeInteger(r.sent) || !Number.isSafeInteger(r.clicked) || r.sent < 0 || r.clicked < 0 || r.clicked > r.sent) {
      throw new RangeError(`row ${i}: sent and clicked must be whole numbers with 0 <= clicked <= sent, got ${r.sent}, ${r.clicked}`);
    }
  }
  const used = rows.filter((r) => r.sent > 0);
  if (used.length < 2) throw new RangeError('the test needs at least two rows that were sent something');
  const n = used.reduce((s, r) => s + r.sent, 0);
  const clicks = used.reduce((s, r) => s + r.clicked, 0);
  const df = used.length - 1;
  if (clicks === 0 || clicks === n) return { statistic: 0, df, pValue: 1, minExpected: 0 };
  let statistic = 0;
  let minExpected = Infinity;
  for (const r of used) {
    const e1 = (r.sent * clicks) / n;
    const e0 = r.sent - e1;
    statistic += (r.clicked - e1) ** 2 / e1 + (r.sent - r.clicked - e0) ** 2 / e0;
    minExpected = Math.min(minExpected, e1, e0);
  }
  return { statistic, df, pValue: chiSquaredSurvival(statistic, df), minExpected };
}
