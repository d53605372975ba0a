/**
 * The part of jstat 1.9.6 (a dev dependency, the tests' oracle for the chi-squared
 * distribution) the tests use; the package ships no types.
 */
declare module 'jstat' {
  interface JStat {
    chisquare: {
      cdf(x: number, dof: number): number;
      inv(p: number, dof: number): number;
    };
    lowRegGamma(a: number, x: number): number;
    gammaln(x: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
