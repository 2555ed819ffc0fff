// Run-to-run noise: how much latency series move between two runs when nothing changed.
//
// Within one run, thousands of samples make even a 3% difference "significant", yet two runs
// of one commit differ by that much (another process on the machine, CPU frequency, memory
// layout, JIT decisions): a per-sample test cannot see this variation, because it is shared
// by every sample of a run. Across the series of a comparison (engine × scenario), most
// series are unchanged, so the spread of their log ratios measures it. A robust spread (the
// median absolute deviation, scaled to a standard deviation) is used so that a few real
// changes do not inflate it.

export interface RunToRunNoise {
  /** Standard deviation of the series' log ratios (≈ relative change for small values). */
  sigma: number;
  /** Median log ratio: a shift shared by every series (load, machine, or a change everywhere). */
  median: number;
  series: number;
}

/** Fewer series cannot give a usable spread. */
export const MIN_SERIES_FOR_NOISE = 5;

const medianOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The spread of per-series log ratios (mean log new − mean log base); undefined under MIN_SERIES_FOR_NOISE series. */
export function runToRunNoise(logRatios: number[]): RunToRunNoise | undefined {
  const finite = logRatios.filter(Number.isFinite);
  if (finite.length < MIN_SERIES_FOR_NOISE) return undefined;
  const median = medianOf(finite);
  const mad = medianOf(finite.map((r) => Math.abs(r - median)));
  return { sigma: 1.4826 * mad, median, series: finite.length };
}
