// How a cost grows with size: the slope of a least-squares line through log(size),
// log(cost) (simple-statistics), read as an exponent k in cost ~ size^k. The label names the
// class and says what the fitted line does over the sizes measured: an exponent of 0.12 reads
// "flat" to the eye but is ×2.3 over 10^3..10^6, so the label says so (flat only when the
// line grows less than FLAT_GROWTH over the whole range).

import { linearRegression, rSquared } from 'simple-statistics';

export interface GrowthFit {
  exponent: number;
  r2: number;
  /** The fitted cost at the largest size over that at the smallest. */
  growth: number;
  label: string;
}

/** Below this growth over the whole range, a curve is flat. */
const FLAT_GROWTH = 1.25;

export function fitGrowth(points: { size: number; value: number }[]): GrowthFit | undefined {
  const usable = points.filter((p) => p.size > 0 && p.value > 0 && Number.isFinite(p.size) && Number.isFinite(p.value));
  const sizes = usable.map((p) => p.size);
  const [smallest, largest] = [Math.min(...sizes), Math.max(...sizes)];
  // A line needs three points over more than one size.
  if (usable.length < 3 || smallest === largest) return undefined;
  const data = usable.map((p) => [Math.log(p.size), Math.log(p.value)] as [number, number]);
  const line = linearRegression(data);
  const k = line.m;
  if (!Number.isFinite(k)) return undefined;
  // Equal costs at every size: no variance to explain, and the flat line fits them exactly.
  const fitted = rSquared(data, (x) => line.m * x + line.b);
  const r2 = Number.isFinite(fitted) ? fitted : 1;
  const growth = Math.exp(k * Math.log(largest / smallest));
  const over = `×${formatFactor(growth)} from ${smallest.toLocaleString('en-US')} to ${largest.toLocaleString('en-US')}`;
  const exponent = `n^${k.toFixed(2)}`;
  let label: string;
  if (growth < FLAT_GROWTH && growth > 1 / FLAT_GROWTH) label = `flat (≈ O(1)): ${over}`;
  else if (k < 0) label = `falling (≈ O(${exponent})): ${over}`;
  else if (k < 0.7) label = `sublinear (≈ O(${exponent})): ${over}`;
  else if (k < 1.3) label = `linear (≈ O(n)): ${over}`;
  else label = `superlinear (≈ O(${exponent})): ${over}`;
  return { exponent: k, r2, growth, label };
}

/** 2.3, 12, 1,000: two significant figures below 10, whole numbers from there. */
function formatFactor(x: number): string {
  return x < 10 ? x.toPrecision(2) : Math.round(x).toLocaleString('en-US');
}
