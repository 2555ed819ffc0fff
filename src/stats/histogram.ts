// Latency histograms (HdrHistogram): values recorded in microseconds, 3 significant digits.

import * as hdr from 'hdr-histogram-js';

export interface HistogramSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** All in milliseconds. */
  unit: 'ms';
}

export class LatencyHistogram {
  private readonly histogram = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): HistogramSummary {
    const h = this.histogram;
    const ms = (us: number) => us / 1000;
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
