// The part of jstat that authz-bench uses (jstat ships no type definitions).
declare module 'jstat' {
  export const jStat: {
    studentt: { inv(p: number, dof: number): number };
    normal: { inv(p: number, mean: number, sd: number): number; cdf(x: number, mean: number, sd: number): number };
  };
}
