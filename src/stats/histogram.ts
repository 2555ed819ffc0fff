// Latency histograms (HdrHistogram): values recorded in nanoseconds, 3 significant digits,
// so an in-process check of a few hundred nanoseconds (the no-op engine) reads as such and
// not as the 1 µs floor a microsecond unit would give.

import * as hdr from 'hdr-histogram-js';

export interface HistogramSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** All in milliseconds (fractions carry the nanoseconds). */
  unit: 'ms';
}

const NS_PER_MS = 1e6;

export class LatencyHistogram {
  private readonly histogram = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  /** A latency in milliseconds (performance.now() differences), stored as whole nanoseconds, at least 1. */
  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * NS_PER_MS)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): HistogramSummary {
    const h = this.histogram;
    const ms = (ns: number) => ns / NS_PER_MS;
    return {
      count: h.totalCount,
      mean: ms(h.mean),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
      unit: 'ms',
    };
  }

  destroy(): void {
    this.histogram.destroy();
  }
}
