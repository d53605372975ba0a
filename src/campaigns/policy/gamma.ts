/**
 * The regularized incomplete gamma functions, for the chi-squared distribution's tail
 * (chi-squared.ts). Written here rather than taken from a statistics package so that the
 * server carries no dependency for one function; jstat checks it in the tests.
 *
 * The method is the classic one (Press et al., Numerical Recipes, 3rd ed., §6.2): the
 * power series of P(a, x) converges fast for x < a + 1, the continued fraction of
 * Q(a, x) (evaluated by the modified Lentz method, §5.2) for x >= a + 1; each is taken
 * where it converges fast and the other is its complement, so neither loses precision by
 * subtracting two numbers near 1.
 */

const EPS = 1e-15;
const MAX_ITERATIONS = 10_000;
/** Smallest magnitude the Lentz recurrence lets a denominator take (avoids dividing by zero). */
const TINY = 1e-300;

/**
 * ln Γ(z) for z > 0, by Lanczos's approximation (g = 7, 9 coefficients; the set Boost and
 * many ports use), relative error about 1e-15; z < 0.5 goes through the reflection formula.
 */
export function lnGamma(z: number): number {
  if (!(z > 0)) throw new RangeError(`lnGamma needs z > 0, got ${z}`);
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const x = z - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(a, x) = γ(a, x) / Γ(a), the lower regularized incomplete gamma function; a > 0, x >= 0. */
export function regularizedGammaP(a: number, x: number): number {
  check(a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x);
}

/** Q(a, x) = 1 - P(a, x), the upper one, computed directly in the tail where 1 - P would round to 0. */
export function regularizedGammaQ(a: number, x: number): number {
  check(a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x);
}

function check(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`the incomplete gamma function needs a finite a > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`the incomplete gamma function needs x >= 0, got ${x}`);
}

/** P(a, x) = e^-x x^a / Γ(a + 1) · Σ x^n / ((a + 1) … (a + n)) (NR 6.2.5). */
function series(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
  }
  throw new Error(`incomplete gamma series did not converge for a=${a}, x=${x}`);
}

/** Q(a, x) = e^-x x^a / Γ(a) · 1 / (x + 1 - a - 1·(1-a) / (x + 3 - a - 2·(2-a) / (x + 5 - a - …))) (NR 6.2.7). */
function continuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
  }
  throw new Error(`incomplete gamma continued fraction did not converge for a=${a}, x=${x}`);
}
