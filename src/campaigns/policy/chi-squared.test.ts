import { test } from 'node:test';
import assert from 'node:assert/strict';
import jStat from 'jstat';
import { chiSquaredCdf, chiSquaredSurvival, chiSquaredTest } from './chi-squared.ts';
import { lnGamma, regularizedGammaP, regularizedGammaQ } from './gamma.ts';

test('lnGamma: exact factorials and Γ(1/2) = √π', () => {
  for (let n = 1; n <= 20; n++) {
    let f = 1;
    for (let i = 2; i < n; i++) f *= i;
    assert.ok(Math.abs(lnGamma(n) - Math.log(f)) < 1e-12 * Math.max(1, Math.log(f)), `Γ(${n}) = ${n - 1}!`);
  }
  assert.ok(Math.abs(lnGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-14);
  assert.ok(Math.abs(lnGamma(0.1) - jStat.gammaln(0.1)) < 1e-12);
});

test('P and Q: closed forms (a = 1: 1 - e^-x; a = 1/2: erf(√x)) and P + Q = 1', () => {
  for (const x of [0.01, 0.5, 1, 2, 5, 10, 30]) {
    assert.ok(Math.abs(regularizedGammaP(1, x) - (1 - Math.exp(-x))) < 1e-14, `P(1, ${x})`);
    assert.ok(Math.abs(regularizedGammaQ(1, x) - Math.exp(-x)) < 1e-14 * Math.max(1, Math.exp(-x)) + 1e-300, `Q(1, ${x})`);
    for (const a of [0.5, 1.5, 3, 12.5, 40]) assert.ok(Math.abs(regularizedGammaP(a, x) + regularizedGammaQ(a, x) - 1) < 1e-14, `P + Q at ${a}, ${x}`);
  }
  assert.equal(regularizedGammaP(2, 0), 0);
  assert.equal(regularizedGammaQ(2, 0), 1);
  assert.throws(() => regularizedGammaP(0, 1), RangeError);
  assert.throws(() => regularizedGammaP(1, -1), RangeError);
  assert.throws(() => regularizedGammaQ(Number.NaN, 1), RangeError);
});

test('the chi-squared CDF agrees with jstat 1.9.6 over df 1-30 and x up to 120', () => {
  for (let df = 1; df <= 30; df++) {
    for (let x = 0.05; x <= 120; x *= 1.15) {
      const ours = chiSquaredCdf(x, df);
      const theirs = jStat.chisquare.cdf(x, df);
      assert.ok(Math.abs(ours - theirs) < 1e-9, `df ${df}, x ${x}: ${ours} vs jstat ${theirs}`);
      assert.ok(Math.abs(chiSquaredSurvival(x, df) - (1 - ours)) < 1e-12, `tail at df ${df}, x ${x}`);
    }
  }
});

test('upper critical values of the textbook table give their tail areas (NIST/SEMATECH e-Handbook §1.3.6.7.4)', () => {
  // [df, x at 0.05, x at 0.01, x at 0.001], each given to 3 decimals.
  const table: [number, number, number, number][] = [
    [1, 3.841, 6.635, 10.828],
    [2, 5.991, 9.21, 13.816],
    [3, 7.815, 11.345, 16.266],
    [4, 9.488, 13.277, 18.467],
    [7, 14.067, 18.475, 24.322],
  ];
  for (const [df, x05, x01, x001] of table) {
    // Three decimals of x move the tail by at most this much near these points.
    assert.ok(Math.abs(chiSquaredSurvival(x05, df) - 0.05) < 2e-5, `df ${df} at 0.05: ${chiSquaredSurvival(x05, df)}`);
    assert.ok(Math.abs(chiSquaredSurvival(x01, df) - 0.01) < 5e-6, `df ${df} at 0.01: ${chiSquaredSurvival(x01, df)}`);
    assert.ok(Math.abs(chiSquaredSurvival(x001, df) - 0.001) < 1e-6, `df ${df} at 0.001: ${chiSquaredSurvival(x001, df)}`);
  }
});

// A class example of a statistics course, with R's chisq.test(x, correct = FALSE) output.
test('a textbook 2×2 table: 1 of 20 children and 49 of 80 adults drink coffee, X² = 20.25, p = 6.795e-06', () => {
  const r = chiSquaredTest([{ sent: 20, clicked: 1 }, { sent: 80, clicked: 49 }]);
  assert.ok(Math.abs(r.statistic - 20.25) < 1e-12, String(r.statistic));
  assert.equal(r.df, 1);
  assert.equal(Number(r.pValue.toPrecision(4)), 6.795e-6);
  assert.equal(r.minExpected, 10);
});

test('a k×2 table by hand: 20/50 vs 30/50 gives X² = 4 exactly; four rows have df 3', () => {
  const r = chiSquaredTest([{ sent: 50, clicked: 20 }, { sent: 50, clicked: 30 }]);
  assert.ok(Math.abs(r.statistic - 4) < 1e-12);
  assert.ok(Math.abs(r.pValue - (1 - jStat.chisquare.cdf(4, 1))) < 1e-12);
  // The insomnia table of a seasonal-allergy trial (Claritin-D, loratadine, pseudoephedrine, placebo).
  const rows = [{ sent: 1023, clicked: 164 }, { sent: 543, clicked: 22 }, { sent: 548, clicked: 104 }, { sent: 922, clicked: 28 }];
  const t = chiSquaredTest(rows);
  assert.equal(t.df, 3);
  // Recomputed here from expected = row × column / N, cell by cell.
  const n = 3036;
  const yes = 318;
  const byHand = rows.reduce((s, r) => {
    const e1 = (r.sent * yes) / n;
    const e0 = (r.sent * (n - yes)) / n;
    return s + (r.clicked - e1) ** 2 / e1 + (r.sent - r.clicked - e0) ** 2 / e0;
  }, 0);
  assert.ok(Math.abs(t.statistic - byHand) < 1e-9);
  assert.ok(t.pValue < 1e-20 && t.pValue > 0, `a tiny p keeps its digits: ${t.pValue}`);
});

test('edge cases: equal rates give X² 0 and p 1; an empty column too; rows sent nothing are left out; bad counts throw', () => {
  assert.deepEqual(chiSquaredTest([{ sent: 100, clicked: 10 }, { sent: 200, clicked: 20 }]), { statistic: 0, df: 1, pValue: 1, minExpected: 10 });
  assert.deepEqual(chiSquaredTest([{ sent: 100, clicked: 0 }, { sent: 200, clicked: 0 }]), { statistic: 0, df: 1, pValue: 1, minExpected: 0 });
  assert.equal(chiSquaredTest([{ sent: 50, clicked: 20 }, { sent: 0, clicked: 0 }, { sent: 50, clicked: 30 }]).df, 1);
  assert.throws(() => chiSquaredTest([{ sent: 10, clicked: 1 }]), RangeError);
  assert.throws(() => chiSquaredTest([{ sent: 10, clicked: 11 }, { sent: 10, clicked: 1 }]), RangeError);
  assert.throws(() => chiSquaredTest([{ sent: 10.5, clicked: 1 }, { sent: 10, clicked: 1 }]), RangeError);
  assert.throws(() => chiSquaredTest([{ sent: 10, clicked: -1 }, { sent: 10, clicked: 1 }]), RangeError);
});
