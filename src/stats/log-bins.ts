// Log-spaced histogram bins shared by several series, so their shapes can be drawn on one
// logarithmic axis: latency spans decades (µs for an in-process engine, ms over HTTP).

export interface LogHistogram {
  /** Geometric centre of each bin, in the samples' unit. */
  centres: number[];
  /** Per series: the share of its samples (in percent, 2 decimals) in each bin. */
  shares: number[][];
}

const usable = (samples: readonly number[]) => samples.filter((x) => x > 0 && Number.isFinite(x));

/** `bins` log-spaced bins over the range of every series; non-positive and non-finite samples are left out. */
export function logHistogram(series: readonly (readonly number[])[], bins = 30): LogHistogram {
  const valid = series.map(usable);
  let min = Infinity;
  let max = -Infinity;
  for (const s of valid)
    for (const x of s) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  if (min === Infinity) return { centres: [], shares: series.map(() => []) };
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, i) => 10 ** (lo + (i + 0.5) * width));
  const shares = valid.map((samples) => {
    const counts = new Array<number>(bins).fill(0);
    for (const x of samples) {
      const bin = Math.min(bins - 1, Math.max(0, Math.floor((Math.log10(x) - lo) / width)));
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    return counts.map((c) => (samples.length ? +((c / samples.length) * 100).toFixed(2) : 0));
  });
  return { centres, shares };
}
