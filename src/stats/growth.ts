// How a cost grows with size: the slope of a least-squares line through log(size),
// log(cost) (simple-statistics), read as an exponent k in cost ~ size^k.

import { linearRegression, rSquared } from 'simple-statistics';

export interface GrowthFit {
  exponent: number;
  r2: number;
  label: string;
}

export function fitGrowth(points: { size: number; value: number }[]): GrowthFit | undefined {
  const usable = points.filter((p) => p.size > 0 && p.value > 0);
  if (usable.length < 3) return undefined;
  const data = usable.map((p) => [Math.log(p.size), Math.log(p.value)] as [number, number]);
  const line = linearRegression(data);
  const r2 = rSquared(data, (x) => line.m * x + line.b);
  const k = line.m;
  const label = k < 0.15 ? 'flat (≈ O(1))' : k < 0.7 ? `sublinear (≈ O(n^${k.toFixed(2)}))` : k < 1.3 ? 'linear (≈ O(n))' : `superlinear (≈ O(n^${k.toFixed(2)}))`;
  return { exponent: k, r2, label };
}
